package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.HostStatus;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.host.HostHeartbeat;
import dev.kiln.workflows.host.HostState;
import dev.kiln.workflows.host.HostWorkflow;
import dev.kiln.workflows.sandbox.SandboxWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.util.List;

/** The API's side of the host workflows: every heartbeat reaches {@code host-<id>}, starting it if needed. */
public final class HostLifecycle {
    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    private final Duration heartbeatTimeout;

    public HostLifecycle(WorkflowClient temporal, String controlTaskQueue, Duration heartbeatTimeout) {
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.heartbeatTimeout = requireNonNull(heartbeatTimeout, "heartbeatTimeout is null");
    }

    /**
     * Signal-with-start: the first heartbeat (registration) starts the workflow, later ones only signal it, and a
     * host whose workflow was lost (retention, a reset) gets a fresh one instead of an error.
     */
    public void heartbeat(String hostId, long receivedEpochMs, boolean pausedSandboxes) {
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
        request.add(workflow::run, new HostState(hostId, HostStatus.ONLINE, receivedEpochMs,
                heartbeatTimeout.toMillis(), 0));
        request.add(workflow::heartbeat, new HostHeartbeat(receivedEpochMs, pausedSandboxes));
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
