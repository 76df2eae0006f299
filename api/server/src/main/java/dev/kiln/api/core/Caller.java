package dev.kiln.api.core;

/** Who is calling, resolved from an API key. */
public record Caller(String keyId, String teamId, boolean admin) {}
