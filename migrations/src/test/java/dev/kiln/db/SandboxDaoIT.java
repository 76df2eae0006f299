package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SandboxDaoIT {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private SandboxDao sandboxes;
    private String hostId;

    @BeforeEach
    void createAHost() {
        sandboxes = DB.jdbi().onDemand(SandboxDao.class);
        HostRow host = Fixtures.host("regular", null, HostStatus.ONLINE);
        DB.jdbi().onDemand(HostDao.class).insert(host);
        hostId = host.id();
    }

    @Test
    void anOutageMarksOnlyLiveSandboxesMissing() {
        String running = insert(SandboxStatus.RUNNING);
        String starting = insert(SandboxStatus.STARTING);
        String paused = insert(SandboxStatus.PAUSED);
        String stopped = insert(SandboxStatus.STOPPED);

        assertThat(sandboxes.markMissingOnHost(hostId, T0)).containsExactlyInAnyOrder(running, starting);

        assertThat(status(running)).isEqualTo(SandboxStatus.MISSING);
        assertThat(status(starting)).isEqualTo(SandboxStatus.MISSING);
        assertThat(status(paused)).isEqualTo(SandboxStatus.PAUSED);
        assertThat(status(stopped)).isEqualTo(SandboxStatus.STOPPED);
        assertThat(sandboxes.listOnHost(hostId, List.of(SandboxStatus.MISSING))).extracting(SandboxRow::id)
                .containsExactlyInAnyOrder(running, starting);
    }

    @Test
    void transitionsOnlyFromTheExpectedStatus() {
        String missing = insert(SandboxStatus.MISSING);

        assertThat(sandboxes.transition(missing, SandboxStatus.RUNNING, SandboxStatus.STOPPED, T0)).isZero();
        assertThat(sandboxes.transition(missing, SandboxStatus.MISSING, SandboxStatus.RUNNING, T0)).isEqualTo(1);
        assertThat(status(missing)).isEqualTo(SandboxStatus.RUNNING);
    }

    @Test
    void deletingAHostStopsEverySandboxOnIt() {
        String running = insert(SandboxStatus.RUNNING);
        String stopped = insert(SandboxStatus.STOPPED);

        assertThat(sandboxes.markStoppedOnHost(hostId, T0)).containsExactly(running);
        assertThat(status(stopped)).isEqualTo(SandboxStatus.STOPPED);
    }

    @Test
    void aSnapshotHoldsARunningSandboxPausedSoNeitherTheMonitorNorAResumeMovesItAndRestoresItAfter() {
        String running = insert(SandboxStatus.RUNNING);

        assertThat(sandboxes.holdForSnapshot(running, "snap-1", T0)).contains(SandboxStatus.RUNNING);
        assertThat(sandboxes.holdForSnapshot(running, "snap-1",
                T0)).as("a retried hold").contains(SandboxStatus.RUNNING);
        assertThat(sandboxes.holdForSnapshot(running, "snap-2", T0)).as("a second snapshot").isEmpty();
        assertThat(status(running)).isEqualTo(SandboxStatus.PAUSED);
        assertThat(sandboxes.markMissingOnHost(hostId, T0)).doesNotContain(running);
        assertThat(sandboxes.transition(running, SandboxStatus.PAUSED, SandboxStatus.RUNNING,
                T0)).as("a resume meanwhile").isZero();

        assertThat(sandboxes.releaseFromSnapshot(running, "snap-2", SandboxStatus.STOPPED,
                T0)).as("another's release").isZero();
        assertThat(sandboxes.releaseFromSnapshot(running, "snap-1", SandboxStatus.RUNNING, T0)).isEqualTo(1);
        assertThat(status(running)).isEqualTo(SandboxStatus.RUNNING);
        assertThat(sandboxes.findById(running).orElseThrow().snapshotId()).isNull();
    }

    @Test
    void onlyRunningOrPausedSandboxesCanBeHeld() {
        assertThat(sandboxes.holdForSnapshot(insert(SandboxStatus.STOPPED), "snap-1", T0)).isEmpty();
        assertThat(sandboxes.holdForSnapshot(insert(SandboxStatus.MISSING), "snap-1", T0)).isEmpty();
        assertThat(sandboxes.holdForSnapshot(insert(SandboxStatus.PAUSED), "snap-1",
                T0)).contains(SandboxStatus.PAUSED);
    }

    @Test
    void metricsFlushedOnPauseAreReadBack() {
        String paused = insert(SandboxStatus.PAUSED);

        sandboxes.storeMetrics(paused, Map.of("raw", List.of(Map.of("t", 1, "cpuPct", 12.5))), T0);

        assertThat(sandboxes.findMetrics(paused)).hasValueSatisfying(json -> assertThat(json).contains("12.5"));
        assertThat(sandboxes.findMetrics(insert(SandboxStatus.RUNNING))).isEmpty();
    }

    @Test
    void auditRowsAreKeptInOrder() {
        HostAuditDao audit = DB.jdbi().onDemand(HostAuditDao.class);
        audit.insert(hostId, "marked_down", "system", Map.of("silent_for_ms", 91_000));
        audit.insert(hostId, "marked_up", "system", Map.of());

        assertThat(audit.events(hostId)).containsExactly("marked_down", "marked_up");
    }

    private String insert(SandboxStatus status) {
        SandboxRow row = new SandboxRow(Ids.newId("sb"), Ids.PLATFORM_TEAM_ID, Ids.MINIMAL_TEMPLATE_ID, hostId,
                "container-" + status.wire(), status, 1, 512, "minimal", null, null, null, null, null, null, 1);
        sandboxes.insert(row);
        return row.id();
    }

    private SandboxStatus status(String id) {
        return sandboxes.findById(id).orElseThrow().status();
    }
}
