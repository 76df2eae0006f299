package dev.kiln.api.representation;

public record SnapshotRequest(String sandboxId, String name, String mode) {}
