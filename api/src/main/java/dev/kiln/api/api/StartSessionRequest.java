package dev.kiln.api.api;

public record StartSessionRequest(String hostId) {}
