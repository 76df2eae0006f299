package dev.kiln.host;

/** What a registered host keeps between starts. */
public record HostCredentials(String hostId, String token, String refreshToken) {}
