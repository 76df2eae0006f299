package dev.kiln.api.representation;

public record RevokeVersionRequest(String reason) {}
