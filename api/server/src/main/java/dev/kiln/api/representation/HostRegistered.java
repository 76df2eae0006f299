package dev.kiln.api.representation;

public record HostRegistered(HostView host, String token, String refreshToken) {}
