package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FleetStatsDaoIT {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void aTickCountsPausedSandboxesAtHalfRoundedUpAndBucketsKeepEachFiguresPeak() {
        FleetStatsDao stats = DB.jdbi().onDemand(FleetStatsDao.class);
        HostRow host = Fixtures.host("regular", null, HostStatus.ONLINE);
        DB.jdbi().onDemand(HostDao.class).insert(host);
        String team = Fixtures.insertTeam(DB.jdbi().onDemand(TeamDao.class)).id();
        insert(team, host.id(), SandboxStatus.RUNNING, 2, 1024);
        insert(team, host.id(), SandboxStatus.PAUSED, 1, 512);
        insert(team, host.id(), SandboxStatus.PAUSED, 2, 301);
        insert(team, host.id(), SandboxStatus.STOPPED, 8, 8192);

        assertThat(stats.sample(T0, Ids.PLATFORM_TEAM_ID)).as("the platform's row and the team's").isEqualTo(2);
        assertThat(stats.sample(T0, Ids.PLATFORM_TEAM_ID)).as("a second replica on the same tick").isZero();
        insert(team, host.id(), SandboxStatus.RUNNING, 1, 100);
        stats.sample(T0.plusSeconds(10), Ids.PLATFORM_TEAM_ID);

        // 2 + ceil(3 / 2) vCPUs, 1024 + ceil(813 / 2) MB, then one more running sandbox ten seconds later.
        assertThat(stats.buckets(team, T0, 10)).containsExactly(
                new FleetStatsRow(T0, team, 1, 2, 4, 1431),
                new FleetStatsRow(T0.plusSeconds(10), team, 2, 2, 5, 1531));
        assertThat(stats.buckets(null, T0, 60)).as("one minute bucket of the whole fleet, peaks")
                .containsExactly(new FleetStatsRow(T0, null, 2, 2, 5, 1531));
        assertThat(stats.buckets(Ids.PLATFORM_TEAM_ID, T0, 10)).extracting(FleetStatsRow::running).containsOnly(0);
        assertThat(stats.firstTick()).contains(T0);

        assertThat(stats.deleteBefore(T0.plus(Duration.ofSeconds(5)))).isEqualTo(2);
        assertThat(stats.buckets(null, T0, 10)).extracting(FleetStatsRow::t).containsExactly(T0.plusSeconds(10));
    }

    private static void insert(String team, String hostId, SandboxStatus status, int vcpus, int memoryMb) {
        DB.jdbi().onDemand(SandboxDao.class).insert(new SandboxRow(Ids.newId("sb"), team, Ids.MINIMAL_TEMPLATE_ID,
                hostId, null, status, vcpus, memoryMb, "minimal", null, null, null, null, null, null, 1));
    }
}
