package dev.kiln.cli;

/** One server-sent event: its name ({@code message} when the stream gave none) and its data. */
public record SseEvent(String name, String data) {}
