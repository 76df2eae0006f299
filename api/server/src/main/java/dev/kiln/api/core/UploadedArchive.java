package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

/** An archive uploaded with a build, read and checked: {@code format} is tar, tar.gz or zip. */
public record UploadedArchive(String format, byte[] content, String sha256) {
    public UploadedArchive {
        requireNonNull(format, "format is null");
        requireNonNull(content, "content is null");
        requireNonNull(sha256, "sha256 is null");
    }
}
