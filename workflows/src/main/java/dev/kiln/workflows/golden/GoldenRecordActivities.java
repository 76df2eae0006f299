package dev.kiln.workflows.golden;

import dev.kiln.model.SessionStatus;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Control-side writes of golden caches and sessions. Results are recorded only for the build a host's status
 * belongs to, so a late result of a cancelled or superseded build changes nothing.
 */
@ActivityInterface
public interface GoldenRecordActivities {

    /** Chooses the online, non-draining hosts, and records a building golden and a build row on each. */
    @ActivityMethod(name = "PlanGoldenBuilds")
    GoldenPlan planBuilds(String projectId, String workflowIdPrefix);

    @ActivityMethod(name = "RecordGoldenReady")
    void buildReady(String projectId, String hostId, String buildId, GoldenGeneration generation, WriteRateSeries io);

    @ActivityMethod(name = "RecordGoldenFailed")
    void buildFailed(String projectId, String hostId, String buildId, String error, WriteRateSeries io);

    @ActivityMethod(name = "RecordGoldenCancelled")
    void buildCancelled(String projectId, String hostId, String buildId, WriteRateSeries io);

    /** The hosts that have a golden row for the project. */
    @ActivityMethod(name = "GoldenHosts")
    List<String> goldenHosts(String projectId);

    @ActivityMethod(name = "RecordGoldenCleared")
    void goldenCleared(String projectId, String hostId);

    /** Online hosts, for garbage collection. */
    @ActivityMethod(name = "OnlineHosts")
    List<String> onlineHosts();

    @ActivityMethod(name = "RecordSessionRunning")
    void sessionRunning(String sessionId, SessionInfo info);

    /** starting or running -> {@code status} (stopped or failed). */
    @ActivityMethod(name = "RecordSessionEnded")
    void sessionEnded(String sessionId, SessionStatus status, String error);
}
