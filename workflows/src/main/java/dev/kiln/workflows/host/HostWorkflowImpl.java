package dev.kiln.workflows.host;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;

import dev.kiln.model.HostStatus;
import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.SandboxWorkflow;
import dev.kiln.workflows.template.TemplateRecordActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

public final class HostWorkflowImpl implements HostWorkflow {

    /**
     * Heartbeats per run before continue-as-new. Each heartbeat adds about four events (signal plus a workflow
     * task), so a run stays near 2,000 events, well under the 10,240-event warning.
     */
    static final int HEARTBEATS_PER_RUN = 500;

    /** Added with sandbox workflows and template deletion; hosts that came back before it skip both. */
    private static final String END_SANDBOXES_AND_REMOVE_IMAGES = "end-sandboxes-and-remove-images";
    /** Runs before it follow heartbeats; runs from it on follow lease transitions. */
    private static final String LEASES = "leases";
    /** A heartbeat-driven run that wakes after leases continues as a lease run. */
    private static final String HAND_OVER_TO_LEASES = "hand-over-to-leases";
    /** How often a renewed host whose worker did not answer is asked again. */
    static final Duration VERIFY_RETRY = Duration.ofSeconds(30);
    /**
     * How soon rows a reconcile had to leave alone (they changed while the host was listing) are looked at again:
     * past the record activity's clock margin, so they count as settled then.
     */
    static final Duration RECHECK_UNSETTLED = Duration.ofSeconds(2);

    private final HostRecordActivities monitor =
            Workflow.newActivityStub(HostRecordActivities.class, ActivityCatalog.record());
    private final TemplateRecordActivities templates =
            Workflow.newActivityStub(TemplateRecordActivities.class, ActivityCatalog.record());

    private HostState state;
    private int pendingHeartbeats;
    private long latestHeartbeatMs;
    private boolean sandboxesPausedWhileCutOff;
    private String deletedBy;
    private LeaseEvent renewal;
    private LeaseEvent expiry;
    private String reconcileReason;
    /** A renewal arrived whose host has not yet answered on its queue. */
    private boolean renewalAwaitingProof;
    /** The last reconcile left rows alone that changed during its listing. */
    private boolean unsettledRows;

    @Override
    public void run(HostState initial) {
        state = initial;
        // Runs started before leases replay through the heartbeat loop; it hands over to the lease loop at once.
        if (Workflow.getVersion(LEASES, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            runOnHeartbeats();
            return;
        }
        runOnLeases();
    }

    /**
     * The host's life from lease transitions. Each pass applies what arrived: expiries and renewals in generation
     * order (a renewal that overtook an older expiry wins), then a requested reconcile. A host that came back is
     * online only once its own worker answered; until then this retries every {@link #VERIFY_RETRY}.
     */
    private void runOnLeases() {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("host"), HOST.valueSet(state.hostId()),
                STATUS.valueSet(state.status().wire()));
        showState();
        while (true) {
            Supplier<Boolean> signalled = () -> expiry != null || renewal != null || reconcileReason != null
                    || deletedBy != null || Workflow.getInfo().isContinueAsNewSuggested();
            if (renewalAwaitingProof) {
                Workflow.await(VERIFY_RETRY, signalled::get);
            } else if (unsettledRows) {
                // Rows moved while the last listing was taken; look again once they have settled.
                if (!Workflow.await(RECHECK_UNSETTLED, signalled::get)) {
                    reconcileReason = "rows that changed during the last listing";
                }
            } else {
                Workflow.await(signalled::get);
            }
            if (deletedBy != null) {
                break;
            }
            if (expiry != null && expiry.generation() > state.leaseGeneration()) {
                state = state.withLease(expiry.generation(), state.lastHeartbeatEpochMs());
                renewalAwaitingProof = false;
                if (state.status() == HostStatus.ONLINE) {
                    monitor.markUnreachable(state.hostId(), expiry.silentForMs());
                    setStatus(HostStatus.UNREACHABLE);
                }
            }
            expiry = null;
            if (renewal != null && renewal.generation() > state.leaseGeneration()) {
                state = state.withLease(renewal.generation(), renewal.atEpochMs());
                renewalAwaitingProof = true;
            }
            renewal = null;
            String reason = reconcileReason;
            reconcileReason = null;
            if (renewalAwaitingProof) {
                // Coming back reconciles too, so a reconcile asked meanwhile is served by it.
                renewalAwaitingProof = !comeBackOnLease();
            } else if (reason != null && state.status() == HostStatus.ONLINE) {
                Workflow.setCurrentDetails("reconciling: " + reason);
                reconcileHost();
            }
            showState();
            if (Workflow.getInfo().isContinueAsNewSuggested()) {
                Workflow.continueAsNew(state);
            }
        }
        retire();
    }

    /**
     * The lease came back: the host is online once its worker lists its containers, the proof that a kiln-host polls
     * {@code host-<id>}; the listing then reconciles the rows. False when the worker did not answer.
     */
    private boolean comeBackOnLease() {
        Workflow.setCurrentDetails("lease renewed; asking the host's worker for its containers");
        if (!reconcileHost()) {
            Workflow.setCurrentDetails("lease renewed, but the host's worker does not answer on its queue yet");
            return false;
        }
        if (state.status() != HostStatus.ONLINE) {
            monitor.markOnline(state.hostId());
            setStatus(HostStatus.ONLINE);
        }
        return true;
    }

    /** Lists the host's containers and makes the rows match; false when the host's worker did not answer. */
    private boolean reconcileHost() {
        HostContainers containers;
        try {
            // The listing reflects the host at some moment after this; the rows may move on meanwhile (a sandbox
            // created or resumed), and reconcile must only act on rows that were settled before it began.
            long listingStarted = Workflow.currentTimeMillis();
            containers = agent("list the host's containers").listContainers().withListingStarted(listingStarted);
        } catch (ActivityFailure unreachable) {
            Workflow.getLogger(HostWorkflowImpl.class)
                    .warn("host {} did not list its containers: {}", state.hostId(), unreachable.getMessage());
            return false;
        }
        Reconciliation result = monitor.reconcileHost(state.hostId(), containers);
        unsettledRows = result.unsettledRows() > 0;
        if (!result.deadContainerIds().isEmpty()) {
            try {
                agent("remove dead and abandoned containers").removeContainers(result.deadContainerIds());
            } catch (ActivityFailure failure) {
                // Found again by the next reconcile: they are still dead, or still abandoned.
                Workflow.getLogger(HostWorkflowImpl.class)
                        .warn("host {} kept containers to remove: {}", state.hostId(), failure.getMessage());
            }
        }
        endSandboxWorkflows(result.stoppedSandboxIds());
        removePendingImages();
        return true;
    }

    /** The heartbeat-driven loop of runs from before leases: replayed as it was, then continued as a lease run. */
    private void runOnHeartbeats() {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("host"), HOST.valueSet(state.hostId()),
                STATUS.valueSet(state.status().wire()));
        int heartbeatsThisRun = 0;
        long silentSince = state.lastHeartbeatEpochMs();
        while (deletedBy == null) {
            Duration silence = Duration.ofMillis(
                    Math.max(1, silentSince + state.heartbeatTimeoutMs() - Workflow.currentTimeMillis()));
            boolean woken = Workflow.await(silence, () -> pendingHeartbeats > 0 || deletedBy != null);
            if (deletedBy != null) {
                break;
            }
            if (Workflow.getVersion(HAND_OVER_TO_LEASES, Workflow.DEFAULT_VERSION, 1) == 1) {
                // The API no longer signals heartbeats; a new run waits for lease transitions instead.
                Workflow.continueAsNew(state);
            }
            if (!woken) {
                if (state.status() != HostStatus.UNREACHABLE) {
                    monitor.markUnreachable(state.hostId(), Workflow.currentTimeMillis() - state.lastHeartbeatEpochMs());
                    setStatus(HostStatus.UNREACHABLE);
                }
                // Stay unreachable, but do not spin: wait a whole timeout again before re-checking.
                silentSince = Workflow.currentTimeMillis();
                continue;
            }
            int received = pendingHeartbeats;
            pendingHeartbeats = 0;
            heartbeatsThisRun += received;
            boolean wasUnreachable = state.status() != HostStatus.ONLINE;
            boolean pausedWhileCutOff = sandboxesPausedWhileCutOff;
            sandboxesPausedWhileCutOff = false;
            state = state.withHeartbeats(latestHeartbeatMs, received);
            silentSince = Workflow.currentTimeMillis();
            if (wasUnreachable) {
                comeBack();
            } else if (pausedWhileCutOff) {
                // The outage was shorter than the heartbeat timeout, but long enough for the host to freeze its
                // sandboxes: rows still read running.
                Workflow.setCurrentDetails("the host paused its sandboxes while cut off; reconciling them");
                reconcileSandboxes();
            }
            showHeartbeat();
            if (heartbeatsThisRun >= HEARTBEATS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
                Workflow.continueAsNew(state);
            }
        }
        retire();
    }

    /** Back from an outage: mark online first so placement resumes, then make the sandbox rows match reality. */
    private void comeBack() {
        monitor.markOnline(state.hostId());
        setStatus(HostStatus.ONLINE);
        Workflow.setCurrentDetails("online again; reconciling sandboxes");
        reconcileSandboxes();
    }

    private void reconcileSandboxes() {
        try {
            List<ContainerState> containers = agent("list sandbox containers").listSandboxContainers();
            List<String> stopped = monitor.reconcile(state.hostId(), containers);
            if (Workflow.getVersion(END_SANDBOXES_AND_REMOVE_IMAGES, Workflow.DEFAULT_VERSION, 1) == 1) {
                endSandboxWorkflows(stopped);
                removePendingImages();
            }
        } catch (ActivityFailure failure) {
            // The host answered a heartbeat but not the listing; its rows stay missing until its next return.
            Workflow.getLogger(HostWorkflowImpl.class)
                    .warn("host {} came back but could not be reconciled: {}", state.hostId(), failure.getMessage());
        }
    }

    private static void endSandboxWorkflows(List<String> stopped) {
        for (String sandboxId : stopped == null ? List.<String>of() : stopped) {
            try {
                Workflow.newUntypedExternalWorkflowStub(SandboxWorkflow.workflowId(sandboxId))
                        .signal(SandboxWorkflow.ENDED, "its container was gone or dead on its host");
            } catch (RuntimeException closed) {
                Workflow.getLogger(HostWorkflowImpl.class).info("sandbox workflow of {} already closed", sandboxId);
            }
        }
    }

    /** Images of templates deleted while the host was away. */
    private void removePendingImages() {
        List<String> images = templates.pendingRemovals(state.hostId());
        BuildSandboxHostActivities host = Workflow.newActivityStub(BuildSandboxHostActivities.class,
                ActivityCatalog.hostLifecycle(state.hostId(), "remove images of deleted templates"));
        for (String imageRef : images) {
            Workflow.setCurrentDetails("online again; removing " + imageRef + " of a deleted template");
            host.removeImage(imageRef);
            templates.forgetRemoval(state.hostId(), imageRef);
        }
    }

    private void retire() {
        Workflow.setCurrentDetails("deleted by " + deletedBy + "; destroying what is left on the host");
        setStatus(HostStatus.DELETED);
        LifecycleHostActivities agent = agent("destroy sandboxes and shut down");
        try {
            agent.destroyAllSandboxes();
            agent.shutDown();
        } catch (ActivityFailure unreachable) {
            // A host that cannot be reached is stopped by its next heartbeat, which the API now answers with 404.
            Workflow.getLogger(HostWorkflowImpl.class)
                    .warn("host {} could not be cleaned on deletion: {}", state.hostId(), unreachable.getMessage());
        }
    }

    private LifecycleHostActivities agent(String summary) {
        return Workflow.newActivityStub(LifecycleHostActivities.class, ActivityCatalog.hostLifecycle(state.hostId(), summary));
    }

    private void showState() {
        Workflow.setCurrentDetails(state.status().wire() + "; lease generation " + state.leaseGeneration()
                + (state.lastHeartbeatEpochMs() > 0 ? ", renewed at " + Instant.ofEpochMilli(state.lastHeartbeatEpochMs())
                        : ""));
    }

    private void showHeartbeat() {
        Workflow.setCurrentDetails(state.status().wire() + "; last heartbeat "
                + Instant.ofEpochMilli(state.lastHeartbeatEpochMs())
                + " (" + state.heartbeatsSeen() + " seen)");
    }

    private void setStatus(HostStatus status) {
        state = state.withStatus(status);
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(status.wire()));
    }

    @Override
    public void heartbeat(HostHeartbeat heartbeat) {
        pendingHeartbeats++;
        latestHeartbeatMs = Math.max(latestHeartbeatMs, heartbeat.receivedEpochMs());
        sandboxesPausedWhileCutOff |= heartbeat.sandboxesPausedWhileCutOff();
    }

    @Override
    public void leaseRenewed(LeaseEvent event) {
        if (renewal == null || event.generation() > renewal.generation()) {
            renewal = event;
        }
    }

    @Override
    public void leaseExpired(LeaseEvent event) {
        if (expiry == null || event.generation() > expiry.generation()) {
            expiry = event;
        }
    }

    @Override
    public void reconcile(String reason) {
        reconcileReason = reconcileReason == null ? reason : reconcileReason;
    }

    @Override
    public void deleted(String actor) {
        deletedBy = actor;
    }

    @Override
    public HostState state() {
        return state;
    }
}
