package dev.kiln.api.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.Ids;
import dev.kiln.db.ProjectDao;
import dev.kiln.db.TestDatabase;
import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.HostStatus;
import dev.kiln.workflows.build.BuildError;
import dev.kiln.workflows.build.BuildStep;
import dev.kiln.workflows.golden.WriteRateSeries;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The record activities report each ending once, whatever retries follow, with the build's phases. */
class RecordActivitiesMetricsIT {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private final List<String> reported = new ArrayList<>();
    private final RecordMetrics metrics = new RecordMetrics() {
        @Override
        public void stepFinished(String phase, Duration elapsed) {
            reported.add("step " + phase + " " + elapsed.toMillis());
        }

        @Override
        public void buildEnded(BuildStatus status, Map<String, Duration> phases) {
            reported.add("build " + status.wire() + " " + phases.keySet());
        }

        @Override
        public void goldenBuildEnded(GoldenBuildStatus status) {
            reported.add("golden " + status.wire());
        }
    };
    private final Clock clock = Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC);

    @Test
    void aFailedBuildAndItsStepAreReportedOnceEvenWhenMarkFailedIsRetried() {
        BuildRecordActivitiesImpl activities = new BuildRecordActivitiesImpl(DB.jdbi(), clock,
                new HostPlacement(DB.jdbi(), clock, new HostScheduler(HostScheduler.Policy.DEFAULT)),
                metrics);
        String buildId = Ids.newId("bld");
        DB.jdbi().onDemand(BuildDao.class).insert(new BuildRow(buildId, Ids.PLATFORM_TEAM_ID, "site",
                Ids.MINIMAL_TEMPLATE_NAME, "kiln/minimal:latest", List.of("RUN false"), null, 1, 512, true,
                BuildStatus.PENDING,
                0, 0, 1, null, null, null, null, null, Map.of(), "test", null, T0, null, null, null));
        BuildStep step = new BuildStep(1, BuildStep.RECIPE, "RUN false", "RUN", List.of("false"), 60);

        activities.markRunning(buildId);
        activities.recordStepStarted(buildId, step);
        activities.recordStepFinished(buildId, step,
                new StepOutcome(1, 1, "", "", 1500, false, new StepContext("/", Map.of(), "root")));
        activities.markFailed(buildId, new BuildError("recipe step 1 failed", 1));
        activities.markFailed(buildId, new BuildError("recipe step 1 failed", 1));
        activities.markCancelled(buildId, "test");

        assertThat(reported).containsExactly("step recipe 1500", "build failed [queue, recipe, total]");
    }

    @Test
    void aGoldenBuildIsCountedOnceByHowItEnded() {
        GoldenRecordActivitiesImpl activities =
                new GoldenRecordActivitiesImpl(DB.jdbi(), clock, metrics);
        HostRow host = new HostRow(Ids.newId("host"), "regular", null, HostStatus.ONLINE, null, null, null, null, null,
                Map.of(), Map.of(), null, "test", null, null, false);
        DB.jdbi().onDemand(HostDao.class).insert(host);
        ProjectDao projects = DB.jdbi().onDemand(ProjectDao.class);
        projects.upsert("prj-golden-metrics", Ids.PLATFORM_TEAM_ID, "site", "true", false, T0);
        projects.insertBuild("gb-1", "prj-golden-metrics", host.id(), "golden-1", T0);
        projects.markBuilding("prj-golden-metrics", host.id(), "gb-1", T0);
        WriteRateSeries io = new WriteRateSeries("gb-1", List.of(), 0, "proc-io", false);

        activities.buildFailed("prj-golden-metrics", host.id(), "gb-1", "warm-up exited 1", io);
        activities.buildFailed("prj-golden-metrics", host.id(), "gb-1", "warm-up exited 1", io);
        activities.buildCancelled("prj-golden-metrics", host.id(), "gb-1", io);

        assertThat(reported).containsExactly("golden failed");
    }
}
