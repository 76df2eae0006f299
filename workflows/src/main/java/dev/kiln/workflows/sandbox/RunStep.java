package dev.kiln.workflows.sandbox;

/**
 * Payload: one command to run in a build sandbox as {@code /bin/sh -c command}, as {@code user}
 * (null = the container's default user).
 */
public record RunStep(String buildId, String containerId, int step, String command, String user, long timeoutSeconds) {}
