package dev.kiln.workflows.build;

/** Payload: why a build failed; {@code step} is null when no step was running. */
public record BuildError(String message, Integer step) {}
