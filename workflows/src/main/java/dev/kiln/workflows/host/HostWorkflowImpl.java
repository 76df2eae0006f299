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

public final class HostWorkflowImpl implements HostWorkflow {

    /**
     * Heartbeats per run before continue-as-new. Each heartbeat adds about four events (signal plus a workflow
     * task), so a run stays near 2,000 events, well under the 10,240-event warning.
     */
    static final int HEARTBEATS_PER_RUN = 500;

    /** Added with sandbox workflows and template deletion; hosts that came back before it skip both. */
    private static final String END_SANDBOXES_AND_REMOVE_IMAGES = "end-sandboxes-and-remove-images";

    private final HostRecordActivities monitor =
            Workflow.newActivityStub(HostRecordActivities.class, ActivityCatalog.record());
    private final TemplateRecordActivities templates =
            Workflow.newActivityStub(TemplateRecordActivities.class, ActivityCatalog.record());

    private HostState state;
    private int pendingHeartbeats;
    private long latestHeartbeatMs;
    private boolean sandboxesPausedWhileCutOff;
    private String deletedBy;

    @Override
    public void run(HostState initial) {
        state = initial;
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
                        .signal(SandboxWorkflow.ENDED, "its container was gone when its host returned");
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
    public void deleted(String actor) {
        deletedBy = actor;
    }

    @Override
    public HostState state() {
        return state;
    }
}
