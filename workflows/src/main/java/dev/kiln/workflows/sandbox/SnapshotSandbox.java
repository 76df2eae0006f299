package dev.kiln.workflows.sandbox;

import java.util.Map;

/**
 * Payload: turn a paused sandbox into the image {@code imageRef}: a commit, or with {@code flatten} an export
 * imported as one layer. User, workdir and env become the image config's defaults.
 */
public record SnapshotSandbox(
        String sandboxId, String imageRef, boolean flatten, String user, String workdir, Map<String, String> env,
        Map<String, String> labels) {}
