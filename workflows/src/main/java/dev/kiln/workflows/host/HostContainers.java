package dev.kiln.workflows.host;

import java.util.List;

/** Payload: what containers a host really has: its user sandboxes and its build sandboxes. */
public record HostContainers(List<ContainerState> sandboxes, List<BuildSandbox> buildSandboxes) {
    public HostContainers {
        sandboxes = sandboxes == null ? List.of() : List.copyOf(sandboxes);
        buildSandboxes = buildSandboxes == null ? List.of() : List.copyOf(buildSandboxes);
    }

    /** A build sandbox container, by the build it was made for. */
    public record BuildSandbox(String buildId, String containerId) {}
}
