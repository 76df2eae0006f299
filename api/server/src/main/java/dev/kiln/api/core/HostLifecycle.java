package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.host.HostState;
import dev.kiln.workflows.host.HostWorkflow;
import dev.kiln.workflows.host.LeaseEvent;
import dev.kiln.workflows.sandbox.SandboxWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.Functions;
import java.util.List;
import java.util.function.Function;

/**
 * The API's side of the host workflows: the lease transitions and reconcile requests that reach {@code host-<id>}.
 * Heartbeats themselves never do; only a renewal that changed something is signalled.
 */
public final class HostLifecycle {
    private final WorkflowClient temporal;
    private final String controlTaskQueue;

    public HostLifecycle(WorkflowClient temporal, String controlTaskQueue) {
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
    }

    /** The lease is live again (or for the first time): the host comes (back) online once its worker answers. */
    public void leaseRenewed(String hostId, LeaseEvent event) {
        signal(hostId, workflow -> workflow::leaseRenewed, event);
    }

    public void leaseExpired(String hostId, LeaseEvent event) {
        signal(hostId, workflow -> workflow::leaseExpired, event);
    }

    public void reconcile(String hostId, String reason) {
        signal(hostId, workflow -> workflow::reconcile, reason);
    }

    /**
     * Signal-with-start: the first renewal starts the workflow, and a host whose workflow was lost (retention, a
     * reset) gets a fresh one, pending until its worker answers, instead of an error.
     */
    private <T> void signal(String hostId, Function<HostWorkflow, Functions.Proc1<T>> signal, T argument) {
        HostWorkflow workflow = temporal.newWorkflowStub(HostWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(HostWorkflow.workflowId(hostId))
                .setTaskQueue(controlTaskQueue)
                .setStaticSummary("Host " + hostId + ": liveness, outages and reconciliation")
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "host")
                        .set(SearchAttributeKeys.HOST, hostId)
                        .build())
                .build());
        BatchRequest request = temporal.newSignalWithStartRequest();
        request.add(workflow::run, HostState.pending(hostId));
        request.add(signal.apply(workflow), argument);
        temporal.signalWithStart(request);
    }

    /** Tells the host workflow the row is gone; a host that never registered has no workflow, which is fine. */
    public void deleted(String hostId, String actor) {
        try {
            temporal.newWorkflowStub(HostWorkflow.class, HostWorkflow.workflowId(hostId)).deleted(actor);
        } catch (WorkflowNotFoundException neverStarted) {
            // nothing to end
        }
    }

    /** Ends the workflows of sandboxes that went with their deleted host; the host workflow removes the containers. */
    public void sandboxesEnded(List<String> sandboxIds, String reason) {
        for (String sandboxId : sandboxIds) {
            try {
                temporal.newWorkflowStub(SandboxWorkflow.class, SandboxWorkflow.workflowId(sandboxId)).ended(reason);
            } catch (WorkflowNotFoundException alreadyEnded) {
                // nothing to end
            }
        }
    }
}
