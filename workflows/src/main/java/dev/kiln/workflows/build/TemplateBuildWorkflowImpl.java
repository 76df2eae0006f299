package dev.kiln.workflows.build;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;
import static dev.kiln.workflows.SearchAttributeKeys.TEMPLATE;

import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.SandboxActivities;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;

public final class TemplateBuildWorkflowImpl implements TemplateBuildWorkflow {

    /** How long a build may wait for a host with room before it fails; hosts come back, builds finish. */
    static final Duration PLACEMENT_PATIENCE = Duration.ofMinutes(10);

    /** The stderr tail quoted in a step failure: enough for the error, short enough for a list view. */
    private static final int ERROR_TAIL_CHARS = 1024;

    private final BuildRecordActivities records =
            Workflow.newActivityStub(BuildRecordActivities.class, ActivityCatalog.record());
    private final BuildRecordActivities placement =
            Workflow.newActivityStub(BuildRecordActivities.class, ActivityCatalog.placement(PLACEMENT_PATIENCE));

    private String hostId;
    private String stage = "queued";
    private Integer runningStep;
    private boolean imageCommitted;
    private boolean published;

    @Override
    public TemplateBuildResult run(TemplateBuildInput input) {
        Workflow.upsertTypedSearchAttributes(
                KIND.valueSet("build"),
                TEMPLATE.valueSet(input.templateName()),
                TEAM.valueSet(input.teamId()),
                STATUS.valueSet("running"));
        try {
            build(input);
            setStatus("success");
            Workflow.setCurrentDetails("built template " + input.templateName() + " on " + hostId);
            return new TemplateBuildResult(input.buildId(), "success", input.templateId(), hostId);
        } catch (TemporalFailure failure) {
            if (CancellationScope.current().isCancelRequested()) {
                recordCancelled(input);
                throw failure instanceof CanceledFailure canceled ? canceled : new CanceledFailure("build cancelled");
            }
            BuildError error = new BuildError(describe(failure), runningStep);
            return fail(input, error, failureType(failure));
        } catch (StepFailedException stepFailed) {
            return fail(input, stepFailed.error, FailureType.STEP_FAILED.name());
        } finally {
            cleanUp(input);
        }
    }

    private void build(TemplateBuildInput input) {
        records.markRunning(input.buildId());
        enter("placing", "placing the build on a host");
        hostId = placement.placeBuild(new PlaceBuild(input.buildId(), input.teamId(), input.vcpus(), input.memoryMb()));
        Workflow.upsertTypedSearchAttributes(HOST.valueSet(hostId));

        enter("create sandbox", "creating the build sandbox on " + hostId);
        SandboxActivities sandbox = Workflow.newActivityStub(
                SandboxActivities.class, ActivityCatalog.host(hostId, "create build sandbox from " + input.baseImageRef()));
        String containerId = sandbox.createBuildSandbox(
                new CreateBuildSandbox(input.buildId(), input.baseImageRef(), input.vcpus(), input.memoryMb()));

        int total = input.steps().size();
        for (BuildStep step : input.steps()) {
            runStep(input, containerId, step, total);
        }

        enter("commit", "committing the sandbox into " + input.imageRef());
        SandboxActivities committer = Workflow.newActivityStub(
                SandboxActivities.class, ActivityCatalog.host(hostId, "commit " + input.imageRef()));
        ImageInfo image = committer.commitSandbox(new CommitSandbox(
                input.buildId(), containerId, input.imageRef(), null, null, List.of(),
                Map.of("kiln.build", input.buildId(), "kiln.template", input.templateId())));
        imageCommitted = true;

        enter("publish", "publishing template " + input.templateName());
        records.publishTemplate(new PublishTemplate(
                input.buildId(), input.templateId(), input.teamId(), input.templateName(), image.imageRef(),
                image.sizeBytes(), input.vcpus(), input.memoryMb(), "root", Map.of(), null));
        published = true;
    }

    private void runStep(TemplateBuildInput input, String containerId, BuildStep step, int total) {
        String summary = step.text();
        runningStep = step.number();
        enter(step.phase() + " step " + step.number(), "step " + step.number() + "/" + total + ": " + summary);
        records.recordStepStarted(input.buildId(), step);
        SandboxActivities stepRunner = Workflow.newActivityStub(
                SandboxActivities.class, ActivityCatalog.step(hostId, step.timeoutSeconds(), summary));
        StepOutcome outcome = stepRunner.runStep(new RunStep(
                input.buildId(), containerId, step.number(), step.command(), null, step.timeoutSeconds()));
        records.recordStepFinished(input.buildId(), step, outcome);
        if (!outcome.ok()) {
            throw new StepFailedException(new BuildError(stepFailureMessage(step, outcome), step.number()));
        }
        runningStep = null;
    }

    static String stepFailureMessage(BuildStep step, StepOutcome outcome) {
        String stderr = outcome.stderrTail() == null ? "" : outcome.stderrTail().strip();
        String reason = stderr.isEmpty() ? "exit code " + outcome.exitCode() : tail(stderr);
        return step.phase() + " step " + step.number() + " failed: " + reason;
    }

    private static String tail(String text) {
        return text.length() <= ERROR_TAIL_CHARS ? text : "..." + text.substring(text.length() - ERROR_TAIL_CHARS);
    }

    private void enter(String stageName, String details) {
        stage = stageName;
        Workflow.setCurrentDetails(details);
    }

    private String describe(TemporalFailure failure) {
        Throwable cause = failure instanceof ActivityFailure ? failure.getCause() : failure;
        String reason;
        if (cause instanceof ApplicationFailure application) {
            reason = application.getOriginalMessage();
        } else if (cause instanceof TimeoutFailure timeout) {
            reason = hostId == null
                    ? "timed out (" + timeout.getTimeoutType() + ")"
                    : "host " + hostId + " did not answer (" + timeout.getTimeoutType() + ")";
        } else {
            reason = cause == null ? failure.getMessage() : cause.getMessage();
        }
        return stage + " failed: " + reason;
    }

    private static String failureType(TemporalFailure failure) {
        if (failure.getCause() instanceof ApplicationFailure application && application.getType() != null) {
            return application.getType();
        }
        return failure.getClass().getSimpleName();
    }

    private TemplateBuildResult fail(TemplateBuildInput input, BuildError error, String type) {
        Workflow.newDetachedCancellationScope(() -> records.markFailed(input.buildId(), error)).run();
        setStatus("failed");
        Workflow.setCurrentDetails(error.message());
        // Failing the run (rather than returning a "failed" result) shows the build red in the Temporal UI.
        throw ApplicationFailure.newNonRetryableFailure(error.message(), type);
    }

    private void recordCancelled(TemplateBuildInput input) {
        Workflow.newDetachedCancellationScope(() -> records.markCancelled(input.buildId(), "temporal")).run();
        setStatus("cancelled");
        Workflow.setCurrentDetails("cancelled during " + stage);
    }

    /** Runs on every path, detached so that a cancel cannot skip it; nothing of an unpublished run survives. */
    private void cleanUp(TemplateBuildInput input) {
        if (hostId == null) {
            return;
        }
        Workflow.newDetachedCancellationScope(() -> {
            SandboxActivities cleaner = Workflow.newActivityStub(
                    SandboxActivities.class, ActivityCatalog.cleanup(hostId, "destroy build sandbox"));
            cleaner.destroyBuildSandbox(input.buildId());
            if (imageCommitted && !published) {
                cleaner.removeImage(input.imageRef());
            }
        }).run();
    }

    private void setStatus(String status) {
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(status));
    }

    /** A step ran and failed: a result of the build, not an infrastructure error. */
    private static final class StepFailedException extends RuntimeException {
        private final BuildError error;

        StepFailedException(BuildError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
