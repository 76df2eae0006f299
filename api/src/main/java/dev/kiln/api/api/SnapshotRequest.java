package dev.kiln.api.api;

public record SnapshotRequest(String sandboxId, String name, String mode) {}
