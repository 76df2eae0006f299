package dev.kiln.api.api;

public record AdminSnapshotRequest(String name, String mode) {}
