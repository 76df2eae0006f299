package dev.kiln.workflows.golden;

/**
 * Payload: stop a session's daemon. The data dir is kept (a restart reuses it, GC removes it after it has been
 * idle long enough) unless {@code removeData}.
 */
public record SessionStop(String sessionId, boolean removeData) {}
