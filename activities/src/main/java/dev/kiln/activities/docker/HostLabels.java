package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.host.ContainerLabels;
import java.util.Map;

/**
 * The labels of the containers this host makes, and the filters that find them again. Several hosts can drive one
 * engine (the fleet tests, a demo stack beside the test suite, a laptop), so each label set and each filter names
 * this host: a host lists, pauses, samples and removes only its own containers.
 */
public record HostLabels(String hostId) {
    public HostLabels {
        requireNonNull(hostId, "hostId is null");
    }

    /** A user sandbox's container. */
    public Map<String, String> sandbox(String sandboxId) {
        return Map.of(ContainerLabels.HOST, hostId, ContainerLabels.SANDBOX, sandboxId,
                ContainerLabels.ROLE, ContainerLabels.ROLE_SANDBOX);
    }

    /** A build's sandbox container. */
    public Map<String, String> buildSandbox(String buildId) {
        return Map.of(ContainerLabels.HOST, hostId, ContainerLabels.BUILD, buildId,
                ContainerLabels.ROLE, ContainerLabels.ROLE_BUILD);
    }

    /** Filter: every user sandbox container of this host. */
    public Map<String, String> sandboxes() {
        return Map.of(ContainerLabels.HOST, hostId, ContainerLabels.ROLE, ContainerLabels.ROLE_SANDBOX);
    }

    /** Filter: every build sandbox container of this host. */
    public Map<String, String> buildSandboxes() {
        return Map.of(ContainerLabels.HOST, hostId, ContainerLabels.ROLE, ContainerLabels.ROLE_BUILD);
    }
}
