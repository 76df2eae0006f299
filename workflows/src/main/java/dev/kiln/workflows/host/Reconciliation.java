package dev.kiln.workflows.host;

import java.util.List;

/**
 * Payload: what reconciling a host's rows with its containers decided.
 *
 * @param stoppedSandboxIds sandboxes now stopped (their container is gone or dead): their workflows end
 * @param deadContainerIds containers to remove: dead sandboxes' and build sandboxes whose build ended or moved on
 * @param unsettledRows rows that looked out of step with the listing but changed while it was taken, so were left
 *     alone: the host workflow reconciles again shortly
 */
public record Reconciliation(List<String> stoppedSandboxIds, List<String> deadContainerIds, int unsettledRows) {
    public Reconciliation {
        stoppedSandboxIds = stoppedSandboxIds == null ? List.of() : List.copyOf(stoppedSandboxIds);
        deadContainerIds = deadContainerIds == null ? List.of() : List.copyOf(deadContainerIds);
    }
}
