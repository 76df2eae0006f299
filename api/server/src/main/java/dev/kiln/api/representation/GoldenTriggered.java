package dev.kiln.api.representation;

import dev.kiln.model.GoldenStatus;
import java.util.Map;

/** {@code queued}: a round was running, so this trigger queued the next one (later triggers collapse into it). */
public record GoldenTriggered(Map<String, GoldenStatus> hosts, boolean queued) {}
