package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SandboxDaoTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private SandboxDao sandboxes;
    private String hostId;

    @BeforeEach
    void createAHost() {
        sandboxes = DB.jdbi().onDemand(SandboxDao.class);
        HostRow host = Fixtures.host("regular", null, "online");
        DB.jdbi().onDemand(HostDao.class).insert(host);
        hostId = host.id();
    }

    @Test
    void anOutageMarksOnlyLiveSandboxesMissing() {
        String running = insert("running");
        String starting = insert("starting");
        String paused = insert("paused");
        String stopped = insert("stopped");

        assertThat(sandboxes.markMissingOnHost(hostId, T0)).containsExactlyInAnyOrder(running, starting);

        assertThat(status(running)).isEqualTo("missing");
        assertThat(status(starting)).isEqualTo("missing");
        assertThat(status(paused)).isEqualTo("paused");
        assertThat(status(stopped)).isEqualTo("stopped");
        assertThat(sandboxes.listOnHost(hostId, List.of("missing"))).extracting(SandboxRow::id)
                .containsExactlyInAnyOrder(running, starting);
    }

    @Test
    void transitionsOnlyFromTheExpectedStatus() {
        String missing = insert("missing");

        assertThat(sandboxes.transition(missing, "running", "stopped", T0)).isZero();
        assertThat(sandboxes.transition(missing, "missing", "running", T0)).isEqualTo(1);
        assertThat(status(missing)).isEqualTo("running");
    }

    @Test
    void deletingAHostStopsEverySandboxOnIt() {
        String running = insert("running");
        String stopped = insert("stopped");

        assertThat(sandboxes.markStoppedOnHost(hostId, T0)).containsExactly(running);
        assertThat(status(stopped)).isEqualTo("stopped");
    }

    @Test
    void aSnapshotHoldsARunningSandboxPausedSoNeitherTheMonitorNorAResumeMovesItAndRestoresItAfter() {
        String running = insert("running");

        assertThat(sandboxes.holdForSnapshot(running, "snap-1", T0)).contains("running");
        assertThat(sandboxes.holdForSnapshot(running, "snap-1", T0)).as("a retried hold").contains("running");
        assertThat(sandboxes.holdForSnapshot(running, "snap-2", T0)).as("a second snapshot").isEmpty();
        assertThat(status(running)).isEqualTo("paused");
        assertThat(sandboxes.markMissingOnHost(hostId, T0)).doesNotContain(running);
        assertThat(sandboxes.transition(running, "paused", "running", T0)).as("a resume meanwhile").isZero();

        assertThat(sandboxes.releaseFromSnapshot(running, "snap-2", "stopped", T0)).as("another's release").isZero();
        assertThat(sandboxes.releaseFromSnapshot(running, "snap-1", "running", T0)).isEqualTo(1);
        assertThat(status(running)).isEqualTo("running");
        assertThat(sandboxes.findById(running).orElseThrow().snapshotId()).isNull();
    }

    @Test
    void onlyRunningOrPausedSandboxesCanBeHeld() {
        assertThat(sandboxes.holdForSnapshot(insert("stopped"), "snap-1", T0)).isEmpty();
        assertThat(sandboxes.holdForSnapshot(insert("missing"), "snap-1", T0)).isEmpty();
        assertThat(sandboxes.holdForSnapshot(insert("paused"), "snap-1", T0)).contains("paused");
    }

    @Test
    void metricsFlushedOnPauseAreReadBack() {
        String paused = insert("paused");

        sandboxes.storeMetrics(paused, Map.of("raw", List.of(Map.of("t", 1, "cpuPct", 12.5))), T0);

        assertThat(sandboxes.findMetrics(paused)).hasValueSatisfying(json -> assertThat(json).contains("12.5"));
        assertThat(sandboxes.findMetrics(insert("running"))).isEmpty();
    }

    @Test
    void auditRowsAreKeptInOrder() {
        HostAuditDao audit = DB.jdbi().onDemand(HostAuditDao.class);
        audit.insert(hostId, "marked_down", "system", Map.of("silent_for_ms", 91_000));
        audit.insert(hostId, "marked_up", "system", Map.of());

        assertThat(audit.events(hostId)).containsExactly("marked_down", "marked_up");
    }

    private String insert(String status) {
        SandboxRow row = new SandboxRow(Ids.newId("sb"), Ids.PLATFORM_TEAM_ID, Ids.MINIMAL_TEMPLATE_ID, hostId,
                "container-" + status, status, 1, 512, "minimal", null, null, null, null, null, null);
        sandboxes.insert(row);
        return row.id();
    }

    private String status(String id) {
        return sandboxes.findById(id).orElseThrow().status();
    }
}
