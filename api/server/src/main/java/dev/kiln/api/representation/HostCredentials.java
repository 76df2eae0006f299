package dev.kiln.api.representation;

public record HostCredentials(String token, String refreshToken) {}
