package dev.kiln.workflows.sandbox;

/**
 * Payload: what a command did. Output is capped (the tail is kept) so that a chatty command cannot overflow
 * the workflow history; {@code timedOut} means the host killed it at its timeout.
 */
public record SandboxExecResult(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {}
