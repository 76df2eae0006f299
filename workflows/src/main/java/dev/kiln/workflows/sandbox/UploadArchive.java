package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: fetch the build's uploaded archive from kiln-api and unpack it into the sandbox's build-files dir.
 * {@code copySources} are the COPY steps' sources, whose entries the host digests for the step cache (null in
 * requests from before the cache, which get no digests back).
 */
public record UploadArchive(String buildId, String containerId, List<String> copySources) {

    public UploadArchive(String buildId, String containerId) {
        this(buildId, containerId, null);
    }
}
