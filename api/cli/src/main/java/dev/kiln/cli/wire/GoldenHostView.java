package dev.kiln.cli.wire;

/** One host's golden ({@code GoldenHost}); {@code buildId} names its latest build, whose write rate can be read. */
public record GoldenHostView(
        String status, Long generation, long sizeBytes, String lastReadyAt, String buildId, String error) {}
