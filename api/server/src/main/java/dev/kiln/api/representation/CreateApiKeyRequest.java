package dev.kiln.api.representation;

public record CreateApiKeyRequest(String name, Boolean admin) {}
