package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.PROJECT;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;

import dev.kiln.model.SessionStatus;
import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureMessages;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

public final class SessionWorkflowImpl implements SessionWorkflow {
    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    private SessionInput session;
    private String stoppedBy;

    @Override
    public void run(SessionInput input) {
        session = input;
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("session"), PROJECT.valueSet(input.projectId()),
                HOST.valueSet(input.hostId()), TEAM.valueSet(input.teamId()), STATUS.valueSet(SessionStatus.STARTING.wire()));
        try {
            Workflow.setCurrentDetails("Unpacking build cache");
            SessionInfo info = Workflow.newActivityStub(GoldenHostActivities.class,
                            ActivityCatalog.sessionStart(input.hostId()))
                    .startSession(new SessionStart(input.projectId(), input.sessionId()));
            records.sessionRunning(input.sessionId(), info);
            setStatus(SessionStatus.RUNNING, "running generation " + info.generation() + " (" + info.copiedBytes() + " bytes copied)");
        } catch (ActivityFailure failure) {
            if (CancellationScope.current().isCancelRequested()) {
                // A cancel reaches the running copy, which ends with an ActivityFailure caused by the cancel.
                Workflow.newDetachedCancellationScope(this::end).run();
                throw new CanceledFailure("session " + input.sessionId() + " cancelled");
            }
            Workflow.newDetachedCancellationScope(() -> {
                stopOnHost();
                records.sessionEnded(input.sessionId(), SessionStatus.FAILED, FailureMessages.root(failure));
            }).run();
            setStatus(SessionStatus.FAILED, FailureMessages.root(failure));
            return;
        } catch (CanceledFailure cancelled) {
            Workflow.newDetachedCancellationScope(this::end).run();
            throw cancelled;
        }
        try {
            Workflow.await(() -> stoppedBy != null);
        } catch (CanceledFailure cancelled) {
            Workflow.newDetachedCancellationScope(this::end).run();
            throw cancelled;
        }
        end();
    }

    private void end() {
        stopOnHost();
        records.sessionEnded(session.sessionId(), SessionStatus.STOPPED, null);
        setStatus(SessionStatus.STOPPED, "stopped" + (stoppedBy == null ? "" : " by " + stoppedBy));
    }

    private void stopOnHost() {
        try {
            Workflow.newActivityStub(GoldenHostActivities.class,
                            ActivityCatalog.cleanup(session.hostId(), "stop the session's daemon"))
                    .stopSession(new SessionStop(session.sessionId(), true));
        } catch (ActivityFailure unreachable) {
            Workflow.getLogger(SessionWorkflowImpl.class).warn("session {} not stopped on {}: {}", session.sessionId(),
                    session.hostId(), unreachable.getMessage());
        }
    }

    @Override
    public void stop(String by) {
        stoppedBy = by;
    }

    private void setStatus(SessionStatus status, String details) {
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(status.wire()));
        Workflow.setCurrentDetails(details);
    }
}
