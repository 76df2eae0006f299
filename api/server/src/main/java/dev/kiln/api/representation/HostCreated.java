package dev.kiln.api.representation;

public record HostCreated(HostView host, String registrationToken) {}
