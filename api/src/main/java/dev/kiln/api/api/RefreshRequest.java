package dev.kiln.api.api;

public record RefreshRequest(String refreshToken) {}
