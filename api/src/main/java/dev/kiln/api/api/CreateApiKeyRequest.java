package dev.kiln.api.api;

public record CreateApiKeyRequest(String name, Boolean admin) {}
