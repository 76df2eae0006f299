package dev.kiln.api.representation;

/** {@code start_command} starts kiln-host with the token from a clone of the repository, against this API. */
public record HostCreated(HostView host, String registrationToken, String startCommand) {}
