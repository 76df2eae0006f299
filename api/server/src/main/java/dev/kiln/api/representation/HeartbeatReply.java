package dev.kiln.api.representation;

/** The answer to a heartbeat: when the host should send its next one, which the fleet's size decides. */
public record HeartbeatReply(long nextHeartbeatMs) {}
