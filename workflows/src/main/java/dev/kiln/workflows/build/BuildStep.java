package dev.kiln.workflows.build;

/**
 * Payload: one planned step of a build. {@code number} is global and 1-based across phases;
 * {@code text} is the recipe line as the user wrote it, {@code command} the shell text actually run.
 */
public record BuildStep(int number, String phase, String text, String command, long timeoutSeconds) {}
