package dev.kiln.activities.docker;

import java.io.IOException;
import java.io.InputStream;

/** Where a host fetches a build's uploaded archive from (kiln-api in production). */
@FunctionalInterface
public interface ArchiveSource {

    /** The archive's bytes as uploaded; the caller closes the stream. */
    InputStream open(String buildId) throws IOException;
}
