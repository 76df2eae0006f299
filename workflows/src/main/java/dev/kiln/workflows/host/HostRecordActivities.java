package dev.kiln.workflows.host;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Control-side writes of the host workflow. Idempotent: each one sets a state rather than toggling it. */
@ActivityInterface
public interface HostRecordActivities {

    /** Host unreachable, its running and starting sandboxes missing, one audit row; a no-op if already so. */
    @ActivityMethod(name = "MarkHostUnreachable")
    void markUnreachable(String hostId, long silentForMs);

    /** Host back online (draining hosts stay draining), with an audit row when it was unreachable. */
    @ActivityMethod(name = "MarkHostOnline")
    void markOnline(String hostId);

    /**
     * Missing sandboxes whose container is alive become running (or paused); gone ones become stopped, and are
     * returned so that their workflows can be ended.
     */
    @ActivityMethod(name = "ReconcileSandboxes")
    List<String> reconcile(String hostId, List<ContainerState> containers);

    /**
     * Makes the rows match the host's containers, whatever the host's state: missing sandboxes whose container is
     * alive become running (or paused), running ones the host paused become paused, sandboxes whose container is gone
     * or dead become stopped; build sandboxes of builds that ended or run elsewhere are abandoned. Idempotent.
     */
    @ActivityMethod(name = "ReconcileHost")
    Reconciliation reconcileHost(String hostId, HostContainers containers);
}
