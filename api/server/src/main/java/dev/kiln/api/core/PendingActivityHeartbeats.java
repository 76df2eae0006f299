package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.build.TemplateBuildWorkflow;
import dev.kiln.workflows.golden.GoldenHostActivities;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.SessionWorkflow;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.StepProgress;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverterException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one road live progress takes to kiln-api: the heartbeat details of a workflow's running activity, read with
 * DescribeWorkflowExecution and decoded by the client's data converter into the record the activity heartbeats.
 * Long host activities heartbeat anyway, for liveness and cancellation; the SDK throttles them, and unlike signals
 * or updates they add nothing to the workflow's history. PostgreSQL has the outcome once the activity has ended.
 */
public final class PendingActivityHeartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(PendingActivityHeartbeats.class);
    /** Polled often by streams and status pages: a slow Temporal must stall them briefly, not hold them. */
    private static final long DESCRIBE_TIMEOUT_MILLIS = 2_000;

    private final WorkflowClient temporal;

    public PendingActivityHeartbeats(WorkflowClient temporal) {
        this.temporal = requireNonNull(temporal, "temporal is null");
    }

    /** The running step of the build: its output so far, while the step runs. */
    public Optional<StepProgress> runningStep(String buildId) {
        return latest(TemplateBuildWorkflow.workflowId(buildId), BuildSandboxHostActivities.RUN_STEP,
                StepProgress.class);
    }

    /** A host's golden build, by its workflow id: phase, bytes written and the write series, while it runs. */
    public Optional<GoldenProgress> goldenBuild(String workflowId) {
        return latest(workflowId, GoldenHostActivities.BUILD, GoldenProgress.class);
    }

    /** The start of a session: the copy of the golden, then its daemon's start. */
    public Optional<GoldenProgress> sessionStart(String sessionId) {
        return latest(SessionWorkflow.workflowId(sessionId), GoldenHostActivities.SESSION_START,
                GoldenProgress.class);
    }

    /**
     * The details of the running {@code activityType} activity of {@code workflowId}, if it has heartbeated. Empty
     * too when Temporal does not answer in time or the details do not decode: progress is a nicety on top of what
     * PostgreSQL records.
     */
    public <T> Optional<T> latest(String workflowId, String activityType, Class<T> type) {
        DescribeWorkflowExecutionRequest request = DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(temporal.getOptions().getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build();
        try {
            for (PendingActivityInfo activity : temporal.getWorkflowServiceStubs().blockingStub()
                    .withDeadlineAfter(DESCRIBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .describeWorkflowExecution(request)
                    .getPendingActivitiesList()) {
                if (activityType.equals(activity.getActivityType().getName()) && activity.hasHeartbeatDetails()) {
                    T details = temporal.getOptions().getDataConverter().fromPayloads(
                            0, Optional.of(activity.getHeartbeatDetails()), type, type);
                    // A build's steps scheduled ahead of the running one heartbeat without details while they wait.
                    if (details != null) {
                        return Optional.of(details);
                    }
                }
            }
        } catch (StatusRuntimeException | DataConverterException e) {
            LOG.debug("no live progress of {} in {}: {}", activityType, workflowId, e.toString());
        }
        return Optional.empty();
    }
}
