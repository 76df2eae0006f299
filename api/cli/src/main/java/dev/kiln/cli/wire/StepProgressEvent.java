package dev.kiln.cli.wire;

/** The data of a build's {@code progress} event ({@code StepProgressEvent}): how the running step is getting on. */
public record StepProgressEvent(int step, long elapsedMs, long outputBytes) {}
