package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.SandboxDao;
import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.sandbox.SandboxRecordActivities;
import java.time.Clock;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

public final class SandboxRecordActivitiesImpl implements SandboxRecordActivities {
    private final Jdbi jdbi;
    private final Clock clock;

    public SandboxRecordActivitiesImpl(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void markRunning(String sandboxId, String containerId) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            SandboxDao sandboxes = handle.attach(SandboxDao.class);
            sandboxes.setContainer(sandboxId, containerId, now);
            sandboxes.transition(sandboxId, SandboxStatus.STARTING, SandboxStatus.RUNNING, now);
        });
    }

    @Override
    public void markPaused(String sandboxId, SandboxMetrics metrics) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            SandboxDao sandboxes = handle.attach(SandboxDao.class);
            sandboxes.storeMetrics(sandboxId, metrics, now);
            sandboxes.transition(sandboxId, SandboxStatus.RUNNING, SandboxStatus.PAUSED, now);
        });
    }

    @Override
    public void markResumed(String sandboxId) {
        jdbi.onDemand(SandboxDao.class).transition(sandboxId, SandboxStatus.PAUSED, SandboxStatus.RUNNING,
                clock.instant());
    }

    @Override
    public void markStopped(String sandboxId) {
        jdbi.onDemand(SandboxDao.class).markStopped(sandboxId, clock.instant());
    }
}
