package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
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
 * Reads the running step's heartbeat from the build workflow's pending RunStep activity. Step output reaches
 * PostgreSQL only when the step ends; until then, the heartbeats the host sends Temporal are the live view.
 */
public final class TemporalStepHeartbeats implements StepHeartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(TemporalStepHeartbeats.class);
    /** The {@code @ActivityMethod} name of {@code SandboxActivities.runStep}. */
    private static final String RUN_STEP = "RunStep";
    /** Polled twice a second per subscriber: a slow Temporal must stall the stream briefly, not hold it. */
    private static final long DESCRIBE_TIMEOUT_MILLIS = 2_000;

    private final WorkflowClient temporal;

    public TemporalStepHeartbeats(WorkflowClient temporal) {
        this.temporal = requireNonNull(temporal, "temporal is null");
    }

    @Override
    public Optional<JsonNode> latest(String buildId) {
        DescribeWorkflowExecutionRequest request = DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(temporal.getOptions().getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(TemplateBuildWorkflow.workflowId(buildId)))
                .build();
        try {
            for (PendingActivityInfo activity : temporal.getWorkflowServiceStubs().blockingStub()
                    .withDeadlineAfter(DESCRIBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .describeWorkflowExecution(request)
                    .getPendingActivitiesList()) {
                if (RUN_STEP.equals(activity.getActivityType().getName()) && activity.hasHeartbeatDetails()) {
                    return Optional.ofNullable(temporal.getOptions().getDataConverter().fromPayloads(
                            0, Optional.of(activity.getHeartbeatDetails()), JsonNode.class, JsonNode.class));
                }
            }
        } catch (StatusRuntimeException | DataConverterException e) {
            // Progress is a nicety on top of the step events, which come from PostgreSQL: go on without it.
            LOG.debug("no live progress for build {}: {}", buildId, e.toString());
        }
        return Optional.empty();
    }
}
