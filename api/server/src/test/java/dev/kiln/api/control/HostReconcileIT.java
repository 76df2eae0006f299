package dev.kiln.api.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.Ids;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.db.TestDatabase;
import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.host.HostContainers;
import dev.kiln.workflows.host.Reconciliation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reconciling a host's rows with a listing of its containers, on real PostgreSQL. */
class HostReconcileIT {
    private static final Instant LISTED = Instant.parse("2026-12-06T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private final HostRecordActivitiesImpl records =
            new HostRecordActivitiesImpl(DB.jdbi(), Clock.fixed(LISTED.plusSeconds(1), ZoneOffset.UTC));
    private final SandboxDao sandboxes = DB.jdbi().onDemand(SandboxDao.class);
    private String hostId;

    @BeforeEach
    void insertHost() {
        hostId = Ids.newId("host");
        DB.jdbi().onDemand(HostDao.class).insert(new HostRow(hostId, "regular", null, HostStatus.ONLINE, null, null,
                null, null, null, Map.of(), Map.of(), null, "test", null, null, false));
    }

    @Test
    void aRunningSandboxWhoseContainerIsGoneFromTheListingIsStoppedAndADeadContainerRemoved() {
        String vanished = sandbox(SandboxStatus.RUNNING, LISTED.minusSeconds(60));
        String died = sandbox(SandboxStatus.RUNNING, LISTED.minusSeconds(60));

        Reconciliation result = records.reconcileHost(hostId, listing(new ContainerState(died, "c-died", "exited")));

        assertThat(result.stoppedSandboxIds()).containsExactlyInAnyOrder(vanished, died);
        assertThat(result.deadContainerIds()).containsExactly("c-died");
        assertThat(status(vanished)).isEqualTo(SandboxStatus.STOPPED);
    }

    /**
     * The race SandboxSnapshotIT met: a listing taken before a sandbox's container existed reached the record activity
     * after the sandbox had started, and stopped a live sandbox; and a container listed before it was started was
     * removed as dead.
     */
    @Test
    void rowsThatChangedAfterTheListingBeganAreLeftToTheNextReconcile() {
        String createdMeanwhile = sandbox(SandboxStatus.RUNNING, LISTED.plusMillis(500));
        String startedMeanwhile = sandbox(SandboxStatus.RUNNING, LISTED.plusMillis(800));

        Reconciliation result = records.reconcileHost(hostId,
                listing(new ContainerState(startedMeanwhile, "c-created", "created")));

        assertThat(result.stoppedSandboxIds()).isEmpty();
        assertThat(result.deadContainerIds()).isEmpty();
        assertThat(result.unsettledRows()).as("both are looked at again once settled").isPositive();
        assertThat(status(createdMeanwhile)).isEqualTo(SandboxStatus.RUNNING);
        assertThat(status(startedMeanwhile)).isEqualTo(SandboxStatus.RUNNING);
    }

    @Test
    void aRunningRowWhoseContainerTheHostPausedReadsPausedUnlessItWasResumedSinceTheListing() {
        String paused = sandbox(SandboxStatus.RUNNING, LISTED.minusSeconds(60));
        String resumedMeanwhile = sandbox(SandboxStatus.RUNNING, LISTED.plusMillis(300));

        records.reconcileHost(hostId, listing(new ContainerState(paused, "c-1", "paused"),
                new ContainerState(resumedMeanwhile, "c-2", "paused")));

        assertThat(status(paused)).isEqualTo(SandboxStatus.PAUSED);
        assertThat(status(resumedMeanwhile)).isEqualTo(SandboxStatus.RUNNING);
    }

    private HostContainers listing(ContainerState... containers) {
        return new HostContainers(List.of(containers), List.of(), 0).withListingStarted(LISTED.toEpochMilli());
    }

    private String sandbox(SandboxStatus status, Instant updatedAt) {
        String id = Ids.newId("sb");
        sandboxes.insert(new SandboxRow(id, Ids.PLATFORM_TEAM_ID, Ids.MINIMAL_TEMPLATE_ID, hostId, "c-" + id, status,
                1, 256, "minimal", null, null, null, null, updatedAt, updatedAt, 1));
        return id;
    }

    private SandboxStatus status(String sandboxId) {
        return sandboxes.findById(sandboxId).orElseThrow().status();
    }
}
