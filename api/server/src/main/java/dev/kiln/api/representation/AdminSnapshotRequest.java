package dev.kiln.api.representation;

public record AdminSnapshotRequest(String name, String mode) {}
