package dev.kiln.workflows.sandbox;

import java.util.List;
import java.util.Map;

/**
 * Payload: commit the build sandbox into an image. {@code env} entries are {@code KEY=value}; user and
 * workdir become the image config's defaults (null keeps the base image's). Add fields at the end only.
 *
 * @param baseImageRef the image the build started from, whose id the result reports; null reports none
 */
public record CommitSandbox(
        String buildId, String containerId, String imageRef, String user, String workdir, List<String> env,
        Map<String, String> labels, String baseImageRef) {}
