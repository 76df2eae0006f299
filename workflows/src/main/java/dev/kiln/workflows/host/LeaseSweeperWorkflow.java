package dev.kiln.workflows.host;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code lease-sweeper-<control queue>}: finds host leases past their expiry and tells those hosts' workflows, every
 * {@code intervalMs}. One per control queue, started by every kiln-api replica with the same id, so exactly one
 * runs however many replicas there are.
 */
@WorkflowInterface
public interface LeaseSweeperWorkflow {

    static String workflowId(String controlTaskQueue) {
        return "lease-sweeper-" + controlTaskQueue;
    }

    @WorkflowMethod(name = "LeaseSweeper")
    void run(long intervalMs);
}
