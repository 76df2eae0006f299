package dev.kiln.workflows.golden;

/** Payload: start (or resume) a dev session's Docker daemon, seeded from the project's current golden. */
public record SessionStart(String projectId, String sessionId) {}
