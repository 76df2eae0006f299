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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

public final class HostRecordActivitiesImpl implements HostRecordActivities {
    private static final String ACTOR = "host-monitor";
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

    @Override
    public List<String> reconcile(String hostId, List<ContainerState> containers) {
        Map<String, ContainerState> bySandbox = containers.stream()
                .filter(container -> container.sandboxId() != null)
                .collect(Collectors.toMap(ContainerState::sandboxId, Function.identity(), (first, second) -> first));
        Instant now = clock.instant();
        SandboxDao sandboxes = jdbi.onDemand(SandboxDao.class);
        List<String> stopped = new ArrayList<>();
        for (SandboxRow missing : sandboxes.listOnHost(hostId, List.of(SandboxStatus.MISSING))) {
            SandboxStatus status = statusOf(bySandbox.get(missing.id()));
            // transition() only moves rows still missing, so a sandbox destroyed meanwhile is left alone.
            if (sandboxes.transition(missing.id(), SandboxStatus.MISSING, status, now) > 0
                    && status == SandboxStatus.STOPPED) {
                stopped.add(missing.id());
            }
        }
        recordPausedByHost(hostId, sandboxes, bySandbox, now);
        return stopped;
    }

    @Override
    public Reconciliation reconcileHost(String hostId, HostContainers containers) {
        List<String> stopped = new ArrayList<>(reconcile(hostId, containers.sandboxes()));
        Map<String, ContainerState> bySandbox = containers.sandboxes().stream()
                .filter(container -> container.sandboxId() != null)
                .collect(Collectors.toMap(ContainerState::sandboxId, Function.identity(), (first, second) -> first));
        Instant now = clock.instant();
        SandboxDao sandboxes = jdbi.onDemand(SandboxDao.class);
        // Running or paused rows whose container died (the engine restarted, an OOM kill) or vanished. Starting ones
        // may not have their container yet, and a snapshot's hold is the snapshot's to end.
        for (SandboxRow row : sandboxes.listOnHost(hostId, List.of(SandboxStatus.RUNNING, SandboxStatus.PAUSED))) {
            if (statusOf(bySandbox.get(row.id())) == SandboxStatus.STOPPED
                    && sandboxes.transition(row.id(), row.status(), SandboxStatus.STOPPED, now) > 0) {
                stopped.add(row.id());
            }
        }
        Map<String, SandboxStatus> rows = sandboxes.listOnHost(hostId, HOLDING_A_CONTAINER).stream()
                .collect(Collectors.toMap(SandboxRow::id, SandboxRow::status));
        List<String> remove = new ArrayList<>();
        for (ContainerState container : containers.sandboxes()) {
            SandboxStatus row = rows.get(container.sandboxId());
            // A starting sandbox's container may be created but not yet started: that is not death.
            boolean dead = row != SandboxStatus.STARTING && container.sandboxStatus() == SandboxStatus.STOPPED;
            // Or it belongs to a sandbox that ended (a destroy that never reached the host): nobody wants it.
            if (row == null || dead) {
                remove.add(container.containerId());
            }
        }
        remove.addAll(abandonedBuildSandboxes(hostId, containers.buildSandboxes()));
        if (!stopped.isEmpty()) {
            jdbi.onDemand(HostAuditDao.class).insert(hostId, "sandboxes_found_stopped", ACTOR,
                    Map.of("sandbox_ids", stopped));
        }
        return new Reconciliation(stopped, remove);
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
            Instant now) {
        List<String> paused = new ArrayList<>();
        for (SandboxRow running : sandboxes.listOnHost(hostId, List.of(SandboxStatus.RUNNING))) {
            ContainerState container = bySandbox.get(running.id());
            if (container != null && container.sandboxStatus() == SandboxStatus.PAUSED
                    && sandboxes.transition(running.id(), SandboxStatus.RUNNING, SandboxStatus.PAUSED, now) > 0) {
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
