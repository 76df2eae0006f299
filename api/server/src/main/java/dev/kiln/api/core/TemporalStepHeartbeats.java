package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
import java.util.Optional;

/**
 * Reads the running step's heartbeat from the build workflow's pending RunStep activity. Step output reaches
 * PostgreSQL only when the step ends; until then, the heartbeats the host sends Temporal are the live view.
 */
public final class TemporalStepHeartbeats implements StepHeartbeats {
    /** The {@code @ActivityMethod} name of {@code BuildSandboxHostActivities.runStep}. */
    private static final String RUN_STEP = "RunStep";

    private final PendingActivityHeartbeats heartbeats;

    public TemporalStepHeartbeats(PendingActivityHeartbeats heartbeats) {
        this.heartbeats = requireNonNull(heartbeats, "heartbeats is null");
    }

    @Override
    public Optional<JsonNode> latest(String buildId) {
        return heartbeats.latest(TemplateBuildWorkflow.workflowId(buildId), RUN_STEP);
    }
}
