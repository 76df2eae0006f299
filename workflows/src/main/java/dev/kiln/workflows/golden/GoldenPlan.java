package dev.kiln.workflows.golden;

import java.util.List;

/** Payload: a round of golden builds, one per online, non-draining host, already recorded as building. */
public record GoldenPlan(String warmupScript, List<GoldenTarget> targets) {}
