package dev.kiln.activities.docker;

/** Heartbeat details of an archive upload or a filesystem export: bytes moved so far. */
public record TransferProgress(long bytes) {}
