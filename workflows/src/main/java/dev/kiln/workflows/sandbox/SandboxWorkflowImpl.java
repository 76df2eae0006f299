package dev.kiln.workflows.sandbox;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;
import static dev.kiln.workflows.SearchAttributeKeys.TEMPLATE;

import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.ActivityCatalog;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;

public final class SandboxWorkflowImpl implements SandboxWorkflow {
    private static final int SHOWN_COMMAND_CHARS = 80;

    private final SandboxRecordActivities records =
            Workflow.newActivityStub(SandboxRecordActivities.class, ActivityCatalog.record());

    private SandboxInput input;
    private SandboxStatus status = SandboxStatus.STARTING;
    private String endedBecause;

    @Override
    public void run(SandboxInput sandbox) {
        input = sandbox;
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("sandbox"), TEAM.valueSet(sandbox.teamId()),
                HOST.valueSet(sandbox.hostId()), TEMPLATE.valueSet(sandbox.templateName()));
        if (sandbox.status() != null) {
            setStatus(sandbox.status());
        } else {
            create();
        }
        Workflow.await(() -> status == SandboxStatus.STOPPED || endedBecause != null
                || Workflow.getInfo().isContinueAsNewSuggested());
        // An update accepted just before the end still gets its answer.
        Workflow.await(Workflow::isEveryHandlerFinished);
        if (endedBecause == null && status != SandboxStatus.STOPPED) {
            Workflow.continueAsNew(sandbox.withStatus(status));
        }
        if (endedBecause != null) {
            Workflow.setCurrentDetails("ended: " + endedBecause);
            setStatus(SandboxStatus.STOPPED);
        }
    }

    private void create() {
        Workflow.setCurrentDetails("creating the container from " + input.imageRef() + " on " + input.hostId());
        try {
            String containerId = host("create container").createSandbox(new CreateSandbox(input.sandboxId(),
                    input.imageRef(), input.vcpus(), input.memoryMb(), input.user(), input.workdir(), input.env()));
            records.markRunning(input.sandboxId(), containerId);
            setStatus(SandboxStatus.RUNNING);
            Workflow.setCurrentDetails("running on " + input.hostId());
        } catch (ActivityFailure failure) {
            Workflow.setCurrentDetails("could not create the container: " + failure.getCause().getMessage());
            removeContainer();
        }
    }

    @Override
    public SandboxStatus started() {
        Workflow.await(() -> status != SandboxStatus.STARTING);
        return status;
    }

    @Override
    public SandboxExecResult exec(ExecCommand command) {
        Workflow.await(() -> status != SandboxStatus.STARTING);
        String shown = command.command().length() > SHOWN_COMMAND_CHARS
                ? command.command().substring(0, SHOWN_COMMAND_CHARS) + "..." : command.command();
        SandboxHostActivities host = Workflow.newActivityStub(SandboxHostActivities.class,
                ActivityCatalog.exec(input.hostId(), command.timeoutSeconds(), "exec: " + shown));
        return host.exec(new SandboxExec(input.sandboxId(), command.command(), command.timeoutSeconds(), input.user(),
                input.workdir(), input.env()));
    }

    @Override
    public void pause() {
        Workflow.await(() -> status != SandboxStatus.STARTING);
        SandboxMetrics metrics = host("pause").pause(input.sandboxId());
        records.markPaused(input.sandboxId(), metrics);
        setStatus(SandboxStatus.PAUSED);
    }

    @Override
    public void resume() {
        Workflow.await(() -> status != SandboxStatus.STARTING);
        host("resume").resume(input.sandboxId());
        records.markResumed(input.sandboxId());
        setStatus(SandboxStatus.RUNNING);
    }

    @Override
    public SandboxMetrics metrics() {
        return host("read metrics").metrics(input.sandboxId());
    }

    @Override
    public void destroy() {
        Workflow.setCurrentDetails("destroying");
        removeContainer();
    }

    /** Removes the container (in a detached scope, so a cancelled workflow still cleans up) and records the end. */
    private void removeContainer() {
        Workflow.newDetachedCancellationScope(() -> {
            try {
                Workflow.newActivityStub(SandboxHostActivities.class,
                        ActivityCatalog.cleanup(input.hostId(), "destroy container")).destroy(input.sandboxId());
            } catch (ActivityFailure unreachable) {
                // The host reconciles its containers against the rows when it comes back.
                Workflow.getLogger(SandboxWorkflowImpl.class).warn("sandbox {} could not be removed from {}: {}",
                        input.sandboxId(), input.hostId(), unreachable.getMessage());
            }
            records.markStopped(input.sandboxId());
        }).run();
        setStatus(SandboxStatus.STOPPED);
    }

    @Override
    public void ended(String reason) {
        endedBecause = reason;
    }

    @Override
    public SandboxStatus status() {
        return status;
    }

    private SandboxHostActivities host(String summary) {
        return Workflow.newActivityStub(SandboxHostActivities.class, ActivityCatalog.host(input.hostId(), summary));
    }

    private void setStatus(SandboxStatus newStatus) {
        status = newStatus;
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(newStatus.wire()));
    }
}
