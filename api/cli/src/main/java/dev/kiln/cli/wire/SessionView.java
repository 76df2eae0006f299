package dev.kiln.cli.wire;

/** A dev session ({@code Session}); {@code generation} and {@code dockerHost} are null until known. */
public record SessionView(
        String id,
        String status,
        String statusMessage,
        long copiedBytes,
        long totalBytes,
        String hostId,
        Long generation,
        String dockerHost,
        String error) {}
