package dev.kiln.workflows.golden;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A dev session: {@code session-<sessionId>}, from the copy of the golden to the session's end. The copy's progress
 * ("Unpacking build cache (2.1/7.0 GB)") is the pending {@code SessionStart} activity's heartbeat.
 */
@WorkflowInterface
public interface SessionWorkflow {
    static String workflowId(String sessionId) {
        return "session-" + sessionId;
    }

    @WorkflowMethod(name = "SessionWorkflow")
    void run(SessionInput input);

    @SignalMethod(name = "stop")
    void stop(String by);
}
