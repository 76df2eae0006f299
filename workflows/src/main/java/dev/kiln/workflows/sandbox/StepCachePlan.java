package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: the cache key of every step (null for a step the cache never holds: a START and every step after it), and
 * how many leading steps the sandbox {@code containerId} already holds the result of, which the build skips.
 */
public record StepCachePlan(String containerId, List<String> keys, int cachedSteps) {}
