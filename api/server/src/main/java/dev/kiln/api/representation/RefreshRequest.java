package dev.kiln.api.representation;

public record RefreshRequest(String refreshToken) {}
