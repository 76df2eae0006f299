package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.Ids;
import dev.kiln.db.ProjectDao;
import dev.kiln.db.ProjectRow;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.SessionStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.golden.GoldenGeneration;
import dev.kiln.workflows.golden.GoldenHostBuildWorkflow;
import dev.kiln.workflows.golden.GoldenPlan;
import dev.kiln.workflows.golden.GoldenRecordActivities;
import dev.kiln.workflows.golden.GoldenTarget;
import dev.kiln.workflows.golden.SessionInfo;
import dev.kiln.workflows.golden.WriteRateSeries;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

public final class GoldenRecordActivitiesImpl implements GoldenRecordActivities {
    private final Jdbi jdbi;
    private final Clock clock;
    private final RecordMetrics metrics;

    public GoldenRecordActivitiesImpl(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, RecordMetrics.NONE);
    }

    public GoldenRecordActivitiesImpl(Jdbi jdbi, Clock clock, RecordMetrics metrics) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public GoldenPlan planBuilds(String projectId, String workflowIdPrefix) {
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            ProjectDao projects = handle.attach(ProjectDao.class);
            ProjectRow project = projects.findById(projectId).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                    "project " + projectId + " does not exist", FailureType.NOT_FOUND.name()));
            List<GoldenTarget> targets = new ArrayList<>();
            for (HostRow host : placeable(now)) {
                String buildId = Ids.newId("gb");
                long n = projects.buildsOn(projectId, host.id()) + 1;
                boolean incremental = projects.goldenHost(projectId, host.id())
                        .map(golden -> golden.generation() > 0).orElse(false);
                projects.insertBuild(buildId, projectId, host.id(),
                        GoldenHostBuildWorkflow.workflowId(projectId, host.id(), n), now);
                projects.markBuilding(projectId, host.id(), buildId, now);
                targets.add(new GoldenTarget(host.id(), buildId, n, incremental));
            }
            return new GoldenPlan(project.warmupScript(), targets);
        });
    }

    private List<HostRow> placeable(Instant now) {
        return jdbi.onDemand(HostDao.class).listPlaceable("regular", null, now);
    }

    @Override
    public void buildReady(String projectId, String hostId, String buildId, GoldenGeneration generation,
            WriteRateSeries io) {
        Instant now = clock.instant();
        int ended = jdbi.inTransaction(handle -> {
            ProjectDao projects = handle.attach(ProjectDao.class);
            projects.markReady(projectId, hostId, buildId, generation.generation(), generation.sizeBytes(), now);
            return projects.finishBuild(buildId, GoldenBuildStatus.READY, generation.generation(), null, io, now);
        });
        reportEnded(ended, GoldenBuildStatus.READY);
    }

    @Override
    public void buildFailed(String projectId, String hostId, String buildId, String error, WriteRateSeries io) {
        Instant now = clock.instant();
        int ended = jdbi.inTransaction(handle -> {
            ProjectDao projects = handle.attach(ProjectDao.class);
            projects.markFailed(projectId, hostId, buildId, error);
            return projects.finishBuild(buildId, GoldenBuildStatus.FAILED, null, error, io, now);
        });
        reportEnded(ended, GoldenBuildStatus.FAILED);
    }

    @Override
    public void buildCancelled(String projectId, String hostId, String buildId, WriteRateSeries io) {
        Instant now = clock.instant();
        int ended = jdbi.inTransaction(handle -> {
            ProjectDao projects = handle.attach(ProjectDao.class);
            projects.markCancelled(projectId, hostId, buildId);
            return projects.finishBuild(buildId, GoldenBuildStatus.CANCELLED, null, null, io, now);
        });
        reportEnded(ended, GoldenBuildStatus.CANCELLED);
    }

    /** Counts a build once: a retried activity finds the row already ended and updates nothing. */
    private void reportEnded(int rowsEnded, GoldenBuildStatus status) {
        if (rowsEnded == 1) {
            metrics.goldenBuildEnded(status);
        }
    }

    @Override
    public List<String> goldenHosts(String projectId) {
        return jdbi.onDemand(ProjectDao.class).goldenHosts(projectId).stream().map(row -> row.hostId()).toList();
    }

    @Override
    public void goldenCleared(String projectId, String hostId) {
        jdbi.onDemand(ProjectDao.class).clear(projectId, hostId);
    }

    @Override
    public List<String> onlineHosts() {
        return placeable(clock.instant()).stream().map(HostRow::id).toList();
    }

    @Override
    public void sessionRunning(String sessionId, SessionInfo info) {
        jdbi.onDemand(ProjectDao.class).markSessionRunning(sessionId, info.generation(), info.copiedBytes(),
                info.totalBytes(), info.socket(), clock.instant());
    }

    @Override
    public void sessionEnded(String sessionId, SessionStatus status, String error) {
        jdbi.onDemand(ProjectDao.class).endSession(sessionId, status, error, clock.instant());
    }
}
