package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The latest heartbeat details of a workflow's running activity. Long host activities report their progress
 * (a step's output size, bytes copied) only through heartbeats until they end: this is the live view of them.
 */
public final class PendingActivityHeartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(PendingActivityHeartbeats.class);
    /** Polled often by streams and status pages: a slow Temporal must stall them briefly, not hold them. */
    private static final long DESCRIBE_TIMEOUT_MILLIS = 2_000;

    private final WorkflowClient temporal;

    public PendingActivityHeartbeats(WorkflowClient temporal) {
        this.temporal = requireNonNull(temporal, "temporal is null");
    }

    /** The details of the running {@code activityType} activity of {@code workflowId}, if it has heartbeated. */
    public Optional<JsonNode> latest(String workflowId, String activityType) {
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
                    return Optional.ofNullable(temporal.getOptions().getDataConverter().fromPayloads(
                            0, Optional.of(activity.getHeartbeatDetails()), JsonNode.class, JsonNode.class));
                }
            }
        } catch (StatusRuntimeException | DataConverterException e) {
            // Progress is a nicety on top of what PostgreSQL records: go on without it.
            LOG.debug("no live progress of {} in {}: {}", activityType, workflowId, e.toString());
        }
        return Optional.empty();
    }
}
