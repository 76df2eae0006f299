package dev.kiln.workflows.host;

/** Payload: a sandbox container a host really has; {@code state} is Docker's (running, paused, exited, ...). */
public record ContainerState(String sandboxId, String containerId, String state) {}
