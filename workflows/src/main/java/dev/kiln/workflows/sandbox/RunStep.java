package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: one recipe instruction to execute in a build sandbox with the given context. The host applies the
 * instruction's semantics (wrapping, user creation, COPY checks) and returns the context for the next step.
 * A non-null {@code cacheKey} commits the sandbox into the host's step cache under that key once the step succeeded
 * (null in requests from before the cache, and for steps the cache never holds).
 *
 * <p>A non-null {@code afterStep} is a step scheduled before the one it follows has ended: the host holds it until
 * step {@code afterStep} of the same sandbox has succeeded there, and does not run it at all once that step failed
 * ({@code STEP_OUT_OF_TURN}). Null runs at once: the workflow knows the step before it has ended. A host from before
 * this component fails to decode such a request rather than run it out of order, so hosts upgrade before kiln-api.
 */
public record RunStep(
        String buildId,
        String containerId,
        int step,
        String instruction,
        List<String> arguments,
        StepContext context,
        long timeoutSeconds,
        String cacheKey,
        Integer afterStep) {

    public RunStep(
            String buildId, String containerId, int step, String instruction, List<String> arguments,
            StepContext context, long timeoutSeconds, String cacheKey) {
        this(buildId, containerId, step, instruction, arguments, context, timeoutSeconds, cacheKey, null);
    }

    public RunStep(
            String buildId, String containerId, int step, String instruction, List<String> arguments,
            StepContext context, long timeoutSeconds) {
        this(buildId, containerId, step, instruction, arguments, context, timeoutSeconds, null, null);
    }
}
