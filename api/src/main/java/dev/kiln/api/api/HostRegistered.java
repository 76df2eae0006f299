package dev.kiln.api.api;

public record HostRegistered(HostView host, String token, String refreshToken) {}
