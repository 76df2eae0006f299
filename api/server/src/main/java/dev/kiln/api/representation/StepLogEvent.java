package dev.kiln.api.representation;

/** Data of an {@code event: log}: output of the running step on {@code stream} (stdout or stderr) since the last. */
public record StepLogEvent(int step, String stream, String text) {}
