package dev.kiln.workflows.host;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code host-<hostId>}: one host's life. Heartbeats arrive as signals; silence longer than the heartbeat timeout
 * marks the host unreachable and its sandboxes missing; the next heartbeat brings it back and reconciles its
 * sandboxes against the containers it really has. Continue-as-new keeps each run's history bounded.
 */
@WorkflowInterface
public interface HostWorkflow {

    static String workflowId(String hostId) {
        return "host-" + hostId;
    }

    @WorkflowMethod(name = "HostLifecycle")
    void run(HostState state);

    @SignalMethod(name = "Heartbeat")
    void heartbeat(HostHeartbeat heartbeat);

    /** The host row is gone (deleted through the API): destroy what is left on it, tell it to stop, end. */
    @SignalMethod(name = "Deleted")
    void deleted(String actor);

    @QueryMethod(name = "State")
    HostState state();
}
