package dev.kiln.api.api;

public record HostCredentials(String token, String refreshToken) {}
