package dev.kiln.workflows.host;

import dev.kiln.model.SandboxStatus;

/** Payload: a sandbox container a host really has; {@code state} is Docker's (running, paused, exited, ...). */
public record ContainerState(String sandboxId, String containerId, String state) {
    /** The sandbox status this container means. */
    public SandboxStatus sandboxStatus() {
        return DockerState.sandboxStatus(state);
    }
}
