package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: one recipe instruction to execute in a build sandbox with the given context. The host applies the
 * instruction's semantics (wrapping, user creation, COPY checks) and returns the context for the next step.
 */
public record RunStep(
        String buildId,
        String containerId,
        int step,
        String instruction,
        List<String> arguments,
        StepContext context,
        long timeoutSeconds) {}
