package dev.kiln.workflows.host;

/**
 * Payload: a host's lease changed state. {@code generation} orders these events: the API and the sweeper bump it with
 * every flip, and the host workflow ignores an event older than the last one it applied.
 *
 * @param silentForMs for an expiry, how long the host had not renewed
 */
public record LeaseEvent(long generation, long atEpochMs, long silentForMs) {}
