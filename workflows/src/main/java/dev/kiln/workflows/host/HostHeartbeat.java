package dev.kiln.workflows.host;

/** Payload: one heartbeat as the API received it; the load itself is already in PostgreSQL. */
public record HostHeartbeat(long receivedEpochMs) {}
