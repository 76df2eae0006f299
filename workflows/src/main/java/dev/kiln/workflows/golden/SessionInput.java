package dev.kiln.workflows.golden;

/** Payload: a dev session of a project on a host. */
public record SessionInput(String sessionId, String projectId, String teamId, String hostId) {}
