package dev.kiln.cli.wire;

/** The data of a build's {@code log} event ({@code StepLogEvent}): output of the running step new since the last one. */
public record StepLogEvent(int step, String stream, String text) {}
