package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: one recipe instruction to execute in a build sandbox with the given context. The host applies the
 * instruction's semantics (wrapping, user creation, COPY checks) and returns the context for the next step.
 * A non-null {@code cacheKey} commits the sandbox into the host's step cache under that key once the step succeeded
 * (null in requests from before the cache, and for steps the cache never holds).
 */
public record RunStep(
        String buildId,
        String containerId,
        int step,
        String instruction,
        List<String> arguments,
        StepContext context,
        long timeoutSeconds,
        String cacheKey) {

    public RunStep(
            String buildId, String containerId, int step, String instruction, List<String> arguments,
            StepContext context, long timeoutSeconds) {
        this(buildId, containerId, step, instruction, arguments, context, timeoutSeconds, null);
    }
}
