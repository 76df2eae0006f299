package dev.kiln.api.api;

public record HostCreated(HostView host, String registrationToken) {}
