package dev.kiln.api.representation;

public record StartSessionRequest(String hostId) {}
