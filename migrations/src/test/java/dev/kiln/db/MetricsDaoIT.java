package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.HostStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsDaoIT {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void countsByStatusHeartbeatsGoldenSizesAndBuildsPastTheirDeadline() {
        MetricsDao metrics = DB.jdbi().onDemand(MetricsDao.class);
        HostDao hosts = DB.jdbi().onDemand(HostDao.class);
        HostRow online = Fixtures.host("regular", null, HostStatus.ONLINE);
        HostRow unreachable = Fixtures.host("regular", null, HostStatus.UNREACHABLE);
        HostRow pending = Fixtures.host("regular", null, HostStatus.PENDING);
        hosts.insert(online);
        hosts.insert(unreachable);
        hosts.insert(pending);
        DB.jdbi().onDemand(HostLeaseDao.class).renew(online.id(), T0, T0.plusSeconds(90), T0);

        BuildDao builds = DB.jdbi().onDemand(BuildDao.class);
        builds.insert(Fixtures.build(Ids.PLATFORM_TEAM_ID, "old", BuildStatus.RUNNING, T0.minus(Duration.ofHours(2))));
        builds.insert(Fixtures.build(Ids.PLATFORM_TEAM_ID, "fresh", BuildStatus.RUNNING, T0));
        builds.insert(Fixtures.build(Ids.PLATFORM_TEAM_ID, "done", BuildStatus.SUCCESS, T0.minus(Duration.ofHours(3))));

        ProjectDao projects = DB.jdbi().onDemand(ProjectDao.class);
        projects.upsert("prj-metrics", Ids.PLATFORM_TEAM_ID, "site", "true", false, T0);
        projects.markBuilding("prj-metrics", online.id(), "gb-1", T0);
        projects.markReady("prj-metrics", online.id(), "gb-1", 1, 4096, T0);
        projects.markBuilding("prj-metrics", unreachable.id(), "gb-2", T0);

        assertThat(metrics.hostsByStatus()).containsExactlyInAnyOrder(new MetricsDao.StatusCount("online", 1),
                new MetricsDao.StatusCount("unreachable", 1), new MetricsDao.StatusCount("pending", 1));
        assertThat(metrics.heartbeats()).containsExactly(new MetricsDao.HostHeartbeat(online.id(), T0));
        assertThat(metrics.buildsByStatus()).containsExactlyInAnyOrder(new MetricsDao.StatusCount("running", 2),
                new MetricsDao.StatusCount("success", 1));
        assertThat(metrics.unfinishedBuildsSubmittedBefore(T0.minus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(metrics.sandboxesByStatus()).isEmpty();
        assertThat(metrics.goldenHostsByStatus()).containsExactlyInAnyOrder(new MetricsDao.StatusCount("ready", 1),
                new MetricsDao.StatusCount("building", 1));
        assertThat(metrics.goldenSizes()).containsExactly(new MetricsDao.GoldenSize("prj-metrics", online.id(), 4096));
    }
}
