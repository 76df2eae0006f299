package dev.kiln.workflows.sandbox;

import java.util.Map;

/**
 * Payload: what the step cache keys on of an uploaded archive. {@code archive} digests every entry; {@code sources}
 * maps each COPY source, as the recipe wrote it, to the digest of the entries it reads (path, type, mode, link
 * target and content; never times or owners, which COPY does not keep).
 */
public record ArchiveDigest(String archive, Map<String, String> sources) {}
