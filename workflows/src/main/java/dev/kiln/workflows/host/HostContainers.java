package dev.kiln.workflows.host;

import java.util.List;

/**
 * Payload: what containers a host really has: its user sandboxes and its build sandboxes.
 *
 * @param listingStartedEpochMs when the host workflow asked for this listing (its own clock; 0 from the host): a row
 *     that changed after that may not be reflected in it, so reconcile leaves such rows alone
 */
public record HostContainers(
        List<ContainerState> sandboxes, List<BuildSandbox> buildSandboxes, long listingStartedEpochMs) {
    public HostContainers {
        sandboxes = sandboxes == null ? List.of() : List.copyOf(sandboxes);
        buildSandboxes = buildSandboxes == null ? List.of() : List.copyOf(buildSandboxes);
    }

    public HostContainers withListingStarted(long epochMs) {
        return new HostContainers(sandboxes, buildSandboxes, epochMs);
    }

    /** A build sandbox container, by the build it was made for. */
    public record BuildSandbox(String buildId, String containerId) {}
}
