package dev.kiln.workflows.sandbox;

/** Payload: a command a caller runs in a sandbox, with its timeout in seconds. */
public record ExecCommand(String command, int timeoutSeconds) {}
