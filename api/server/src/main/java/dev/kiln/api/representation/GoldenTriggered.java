package dev.kiln.api.representation;

import java.util.Map;

/** {@code queued}: a round was running, so this trigger queued the next one (later triggers collapse into it). */
public record GoldenTriggered(Map<String, String> hosts, boolean queued) {}
