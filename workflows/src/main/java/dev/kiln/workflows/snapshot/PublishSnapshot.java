package dev.kiln.workflows.snapshot;

import java.util.Map;

/** Payload: the template a finished snapshot becomes. */
public record PublishSnapshot(
        String snapshotId, String templateId, String teamId, String name, String imageRef, int vcpus, int memoryMb,
        long sizeBytes, String user, Map<String, String> env, String workdir, boolean replace) {}
