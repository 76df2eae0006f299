package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.BuildDao;
import dev.kiln.db.HostAuditDao;
import dev.kiln.db.HostDao;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.host.HostContainers;
import dev.kiln.workflows.host.HostRecordActivities;
import dev.kiln.workflows.host.Reconciliation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

public final class HostRecordActivitiesImpl implements HostRecordActivities {
    private static final String ACTOR = "host-monitor";
    /** Temporal's clock, which dates a listing, and kiln-api's, which dates the rows, may disagree by this much. */
    private static final Duration CLOCK_MARGIN = Duration.ofSeconds(1);
    /** Sandboxes that own a container: a container of any other sandbox on the host is left over. */
    private static final List<SandboxStatus> HOLDING_A_CONTAINER =
            List.of(SandboxStatus.STARTING, SandboxStatus.RUNNING, SandboxStatus.PAUSED, SandboxStatus.MISSING);

    private final Jdbi jdbi;
    private final Clock clock;

    public HostRecordActivitiesImpl(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void markUnreachable(String hostId, long silentForMs) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            // Once per outage: a retried or repeated call finds the host already unreachable and writes nothing.
            if (handle.attach(HostDao.class).markUnreachable(hostId, now) == 0) {
                return;
            }
            List<String> missing = handle.attach(SandboxDao.class).markMissingOnHost(hostId, now);
            handle.attach(HostAuditDao.class).insert(hostId, "marked_down", ACTOR,
                    Map.of("silent_for_ms", silentForMs, "missing_sandboxes", missing));
        });
    }

    @Override
    public void markOnline(String hostId) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            if (handle.attach(HostDao.class).markOnline(hostId, now) > 0) {
                handle.attach(HostAuditDao.class).insert(hostId, "marked_up", ACTOR, Map.of());
            }
        });
    }

    /** The reconcile of runs from before leases, on a host back from unreachable: kept as it was for them. */
    @Override
    public List<String> reconcile(String hostId, List<ContainerState> containers) {
        Instant now = clock.instant();
        Tally tally = new Tally();
        reconcileMissing(hostId, bySandbox(containers), now, now, tally);
        return tally.stopped;
    }

    /**
     * Acts only on rows settled before the listing began ({@link HostContainers#listingStartedEpochMs}, less
     * {@link #CLOCK_MARGIN} for the clocks of Temporal and kiln-api): a sandbox created, resumed or destroyed while
     * the host was listing would otherwise read as a running row with no container and be stopped. Such rows are
     * counted instead, and the host workflow reconciles again once they have settled.
     */
    @Override
    public Reconciliation reconcileHost(String hostId, HostContainers containers) {
        Instant now = clock.instant();
        Instant settledBefore = Instant.ofEpochMilli(containers.listingStartedEpochMs()).minus(CLOCK_MARGIN);
        Map<String, ContainerState> bySandbox = bySandbox(containers.sandboxes());
        Tally tally = new Tally();
        reconcileMissing(hostId, bySandbox, settledBefore, now, tally);
        SandboxDao sandboxes = jdbi.onDemand(SandboxDao.class);
        // Running or paused rows whose container died (the engine restarted, an OOM kill) or vanished. Starting ones
        // may not have their container yet, and a snapshot's hold is the snapshot's to end.
        for (SandboxRow row : sandboxes.listOnHost(hostId, List.of(SandboxStatus.RUNNING, SandboxStatus.PAUSED))) {
            if (statusOf(bySandbox.get(row.id())) == SandboxStatus.STOPPED && tally.settled(row, settledBefore)
                    && sandboxes.transitionIfSettled(row.id(), row.status(), SandboxStatus.STOPPED, settledBefore,
                            now) > 0) {
                tally.stopped.add(row.id());
            }
        }
        Map<String, SandboxRow> rows = sandboxes.listOnHost(hostId, HOLDING_A_CONTAINER).stream()
                .collect(Collectors.toMap(SandboxRow::id, Function.identity()));
        List<String> remove = new ArrayList<>();
        for (ContainerState container : containers.sandboxes()) {
            SandboxRow row = rows.get(container.sandboxId());
            // A starting sandbox's container may be created but not yet started: that is not death; nor is a
            // container listed before its sandbox moved on.
            boolean dead = row != null && row.status() != SandboxStatus.STARTING
                    && container.sandboxStatus() == SandboxStatus.STOPPED && tally.settled(row, settledBefore);
            // Or it belongs to a sandbox that ended (a destroy that never reached the host): nobody wants it.
            if (row == null || dead) {
                remove.add(container.containerId());
            }
        }
        remove.addAll(abandonedBuildSandboxes(hostId, containers.buildSandboxes()));
        if (!tally.stopped.isEmpty()) {
            jdbi.onDemand(HostAuditDao.class).insert(hostId, "sandboxes_found_stopped", ACTOR,
                    Map.of("sandbox_ids", tally.stopped));
        }
        return new Reconciliation(tally.stopped, remove, tally.unsettled);
    }

    /** What one reconcile stopped, and how many rows it had to leave alone for changing during the listing. */
    private static final class Tally {
        private final List<String> stopped = new ArrayList<>();
        private int unsettled;

        /** True for a row unchanged since the listing began; counts the others. */
        boolean settled(SandboxRow row, Instant settledBefore) {
            if (row.updatedAt().isBefore(settledBefore)) {
                return true;
            }
            unsettled++;
            return false;
        }
    }

    /** Missing rows (their host was unreachable) take their container's state; paused-by-host rows read paused. */
    private void reconcileMissing(String hostId, Map<String, ContainerState> bySandbox, Instant settledBefore,
            Instant now, Tally tally) {
        SandboxDao sandboxes = jdbi.onDemand(SandboxDao.class);
        for (SandboxRow missing : sandboxes.listOnHost(hostId, List.of(SandboxStatus.MISSING))) {
            SandboxStatus status = statusOf(bySandbox.get(missing.id()));
            // Only rows still missing move, so a sandbox destroyed meanwhile is left alone.
            if (tally.settled(missing, settledBefore)
                    && sandboxes.transitionIfSettled(missing.id(), SandboxStatus.MISSING, status, settledBefore, now) > 0
                    && status == SandboxStatus.STOPPED) {
                tally.stopped.add(missing.id());
            }
        }
        recordPausedByHost(hostId, sandboxes, bySandbox, settledBefore, now, tally);
    }

    private static Map<String, ContainerState> bySandbox(List<ContainerState> containers) {
        return containers.stream()
                .filter(container -> container.sandboxId() != null)
                .collect(Collectors.toMap(ContainerState::sandboxId, Function.identity(), (first, second) -> first));
    }

    /**
     * Build sandboxes whose build ended, moved to another host (it lost this one and reran elsewhere) or is unknown:
     * the containers a killed or cut-off host kept. A build rerunning here has this host again and keeps its sandbox.
     */
    private List<String> abandonedBuildSandboxes(String hostId, List<HostContainers.BuildSandbox> buildSandboxes) {
        if (buildSandboxes.isEmpty()) {
            return List.of();
        }
        Map<String, BuildDao.Placement> builds = jdbi.onDemand(BuildDao.class)
                .placements(buildSandboxes.stream().map(HostContainers.BuildSandbox::buildId).distinct().toList())
                .stream().collect(Collectors.toMap(BuildDao.Placement::id, Function.identity()));
        List<String> abandoned = new ArrayList<>();
        for (HostContainers.BuildSandbox sandbox : buildSandboxes) {
            BuildDao.Placement build = builds.get(sandbox.buildId());
            if (build == null || build.status().terminal() || !hostId.equals(build.hostId())) {
                abandoned.add(sandbox.containerId());
            }
        }
        return abandoned;
    }

    /**
     * Rows still running whose container the host paused when it was cut off from kiln-api. An outage shorter than
     * the heartbeat timeout never marked them missing, so without this they would read running while frozen.
     */
    private void recordPausedByHost(String hostId, SandboxDao sandboxes, Map<String, ContainerState> bySandbox,
            Instant settledBefore, Instant now, Tally tally) {
        List<String> paused = new ArrayList<>();
        for (SandboxRow running : sandboxes.listOnHost(hostId, List.of(SandboxStatus.RUNNING))) {
            ContainerState container = bySandbox.get(running.id());
            if (container != null && container.sandboxStatus() == SandboxStatus.PAUSED
                    && tally.settled(running, settledBefore) && sandboxes.transitionIfSettled(
                            running.id(), SandboxStatus.RUNNING, SandboxStatus.PAUSED, settledBefore, now) > 0) {
                paused.add(running.id());
            }
        }
        if (!paused.isEmpty()) {
            jdbi.onDemand(HostAuditDao.class).insert(hostId, "sandboxes_paused_by_host", ACTOR,
                    Map.of("sandbox_ids", paused));
        }
    }

    /** What a missing sandbox becomes, given what the host reports for its container (null: no container). */
    static SandboxStatus statusOf(ContainerState container) {
        return container == null ? SandboxStatus.STOPPED : container.sandboxStatus();
    }
}
