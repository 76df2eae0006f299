package dev.kiln.workflows.snapshot;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;
import static dev.kiln.workflows.SearchAttributeKeys.TEMPLATE;

import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureMessages;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.SandboxHostActivities;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.sandbox.SandboxWorkflow;
import dev.kiln.workflows.sandbox.SnapshotSandbox;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.util.Map;
import org.slf4j.Logger;

public final class SnapshotWorkflowImpl implements SnapshotWorkflow {
    private static final Logger LOG = Workflow.getLogger(SnapshotWorkflowImpl.class);

    private final SnapshotRecordActivities records =
            Workflow.newActivityStub(SnapshotRecordActivities.class, ActivityCatalog.record());

    private SnapshotInput input;

    @Override
    public String run(SnapshotInput snapshot) {
        input = snapshot;
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("snapshot"), TEAM.valueSet(snapshot.teamId()),
                HOST.valueSet(snapshot.hostId()), TEMPLATE.valueSet(snapshot.name()),
                STATUS.valueSet(SnapshotStatus.RUNNING.wire()));
        SandboxStatus before;
        try {
            // Before any host call: from here on nothing but this workflow moves the sandbox.
            before = records.holdSandbox(snapshot.snapshotId(), snapshot.sandboxId());
        } catch (ActivityFailure failure) {
            throw fail(failure, false, null);
        }
        ReplacedTemplate replaced;
        try {
            Workflow.setCurrentDetails("pausing " + snapshot.sandboxId());
            SandboxMetrics metrics = host("pause sandbox").pause(snapshot.sandboxId());
            records.storeMetrics(snapshot.sandboxId(), metrics);
            Workflow.setCurrentDetails((snapshot.flatten() ? "flattening " : "committing ") + snapshot.sandboxId()
                    + " into " + snapshot.imageRef());
            ImageInfo image = Workflow.newActivityStub(SandboxHostActivities.class,
                            ActivityCatalog.snapshot(snapshot.hostId(), snapshot.flatten() ? "flatten" : "commit"))
                    .snapshot(new SnapshotSandbox(snapshot.sandboxId(), snapshot.imageRef(), snapshot.flatten(),
                            snapshot.user(), snapshot.workdir(), snapshot.env(),
                            Map.of("kiln.role", "template", "kiln.template", snapshot.templateId())));
            Workflow.setCurrentDetails("recording template " + snapshot.name());
            replaced = records.publish(new PublishSnapshot(snapshot.snapshotId(), snapshot.templateId(),
                    snapshot.teamId(), snapshot.name(), snapshot.imageRef(), snapshot.vcpus(), snapshot.memoryMb(),
                    image.sizeBytes(), snapshot.user(), snapshot.env(), snapshot.workdir(), snapshot.platform(),
                    image.imageId(), image.baseImageId()));
        } catch (TemporalFailure failure) {
            throw fail(failure, true, before);
        }
        Workflow.newDetachedCancellationScope(() -> settleSandbox(before)).run();
        if (replaced.imageRef() != null) {
            records.scheduleImageRemoval(snapshot.teamId(), snapshot.name(), replaced.templateId(), replaced.imageRef());
        }
        records.finish(snapshot.snapshotId(), SnapshotStatus.SUCCESS, snapshot.templateId(), null);
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(SnapshotStatus.SUCCESS.wire()));
        Workflow.setCurrentDetails("template " + snapshot.name() + " ready");
        return snapshot.templateId();
    }

    /**
     * A user's sandbox goes back to what it was; a platform sandbox has served its purpose and is destroyed, as the
     * reference's admin snapshot documents.
     */
    private void settleSandbox(SandboxStatus before) {
        if (input.platform()) {
            try {
                cleanup("destroy sandbox").destroy(input.sandboxId());
            } catch (ActivityFailure unreachable) {
                LOG.warn("sandbox {} could not be destroyed after its snapshot: {}", input.sandboxId(),
                        unreachable.getMessage());
            }
            records.releaseSandbox(input.snapshotId(), input.sandboxId(), SandboxStatus.STOPPED);
            try {
                Workflow.newUntypedExternalWorkflowStub(SandboxWorkflow.workflowId(input.sandboxId()))
                        .signal(SandboxWorkflow.ENDED, "snapshot " + input.snapshotId()
                                + " made it platform template " + input.name());
            } catch (RuntimeException closed) {
                LOG.info("sandbox workflow of {} had already ended: {}", input.sandboxId(), closed.getMessage());
            }
            return;
        }
        records.releaseSandbox(input.snapshotId(), input.sandboxId(), restore(before));
    }

    /** Resumes a sandbox that was running; returns the status it is in afterwards. */
    private SandboxStatus restore(SandboxStatus before) {
        if (before != SandboxStatus.RUNNING) {
            return before;
        }
        try {
            cleanup("resume sandbox").resume(input.sandboxId());
            return SandboxStatus.RUNNING;
        } catch (ActivityFailure failure) {
            LOG.warn("sandbox {} could not be resumed after its snapshot: {}", input.sandboxId(), failure.getMessage());
            return SandboxStatus.PAUSED;
        }
    }

    /**
     * Undoes what the snapshot did (in a detached scope, so that a cancelled snapshot cleans up too) and returns the
     * failure to end the workflow with, typed as the cause was so that the API can answer with the matching code.
     */
    private ApplicationFailure fail(TemporalFailure failure, boolean held, SandboxStatus before) {
        String message = FailureMessages.root(failure);
        Workflow.newDetachedCancellationScope(() -> {
            if (held) {
                try {
                    Workflow.newActivityStub(BuildSandboxHostActivities.class,
                            ActivityCatalog.cleanup(input.hostId(), "remove partial image")).removeImage(input.imageRef());
                } catch (ActivityFailure unreachable) {
                    LOG.warn("partial image {} could not be removed: {}", input.imageRef(), unreachable.getMessage());
                }
                records.releaseSandbox(input.snapshotId(), input.sandboxId(), restore(before));
            }
            records.finish(input.snapshotId(), SnapshotStatus.FAILED, null, message);
        }).run();
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(SnapshotStatus.FAILED.wire()));
        Workflow.setCurrentDetails("failed: " + message);
        return ApplicationFailure.newNonRetryableFailureWithCause(message, failureType(failure), failure);
    }

    private SandboxHostActivities host(String summary) {
        return Workflow.newActivityStub(SandboxHostActivities.class, ActivityCatalog.host(input.hostId(), summary));
    }

    private SandboxHostActivities cleanup(String summary) {
        return Workflow.newActivityStub(SandboxHostActivities.class, ActivityCatalog.cleanup(input.hostId(), summary));
    }

    private static String failureType(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApplicationFailure application && application.getType() != null) {
                return application.getType();
            }
        }
        return failure.getClass().getSimpleName();
    }
}
