package dev.kiln.workflows.host;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * {@code host-<hostId>}: one host's life, driven by transitions of its lease, not by heartbeats. Heartbeats renew the
 * lease in PostgreSQL; the API signals {@link #leaseRenewed} only when a renewal brought an expired (or new) lease
 * back, the sweeper signals {@link #leaseExpired} when it finds one past its expiry, and either asks for a
 * {@link #reconcile}. The host is online once its own worker has answered a listing of its containers, and
 * unreachable (its sandboxes missing) when its lease expired. History grows with transitions only.
 */
@WorkflowInterface
public interface HostWorkflow {

    static String workflowId(String hostId) {
        return "host-" + hostId;
    }

    @WorkflowMethod(name = "HostLifecycle")
    void run(HostState state);

    /** Replay only: every heartbeat was this signal before liveness moved to leases (see the implementation). */
    @SignalMethod(name = "Heartbeat")
    void heartbeat(HostHeartbeat heartbeat);

    /** The lease was renewed after it had expired, or for the first time: the host is (back) up. */
    @SignalMethod(name = "LeaseRenewed")
    void leaseRenewed(LeaseEvent event);

    /** The sweeper found the lease past its expiry. */
    @SignalMethod(name = "LeaseExpired")
    void leaseExpired(LeaseEvent event);

    /**
     * Something may have changed on the host that the rows do not know: it paused its sandboxes while cut off, its
     * engine reported containers dying, or the periodic reconcile is due.
     */
    @SignalMethod(name = "Reconcile")
    void reconcile(String reason);

    /** The host row is gone (deleted through the API): destroy what is left on it, tell it to stop, end. */
    @SignalMethod(name = "Deleted")
    void deleted(String actor);

    @QueryMethod(name = "State")
    HostState state();
}
