package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.HostAuditDao;
import dev.kiln.db.HostDao;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.host.HostRecordActivities;
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
