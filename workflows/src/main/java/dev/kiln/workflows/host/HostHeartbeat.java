package dev.kiln.workflows.host;

/**
 * Payload: one heartbeat as the API received it; the load itself is already in PostgreSQL.
 *
 * @param sandboxesPausedWhileCutOff the host froze its sandboxes while it could not reach kiln-api, which may not
 *     have noticed the outage; their rows must be reconciled even though the host never read as unreachable
 */
public record HostHeartbeat(long receivedEpochMs, boolean sandboxesPausedWhileCutOff) {}
