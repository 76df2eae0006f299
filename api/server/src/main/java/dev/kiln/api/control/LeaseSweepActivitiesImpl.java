package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.core.HostLifecycle;
import dev.kiln.db.HostLeaseDao;
import dev.kiln.workflows.host.LeaseEvent;
import dev.kiln.workflows.host.LeaseSweepActivities;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class LeaseSweepActivitiesImpl implements LeaseSweepActivities {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseSweepActivitiesImpl.class);
    /** Missing this many sweeps in a row means the sweeper was not running: its view is stale. */
    private static final int MISSED_SWEEPS = 3;

    private final Jdbi jdbi;
    private final HostLifecycle lifecycle;
    private final HeartbeatPace pace;
    private final Duration staleAfter;
    private final Clock clock;

    public LeaseSweepActivitiesImpl(Jdbi jdbi, HostLifecycle lifecycle, HeartbeatPace pace, Duration sweepInterval,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.pace = requireNonNull(pace, "pace is null");
        this.staleAfter = requireNonNull(sweepInterval, "sweepInterval is null").multipliedBy(MISSED_SWEEPS);
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The expiry is committed before the signals go out: a heartbeat that renews the lease meanwhile flips it back
     * with a newer generation, and its signal wins in the host workflow whichever arrives first.
     */
    @Override
    public int sweep() {
        Instant now = clock.instant();
        List<HostLeaseDao.Expired> expired = jdbi.onDemand(HostLeaseDao.class).sweep(now, staleAfter, pace.grace());
        for (HostLeaseDao.Expired lease : expired) {
            long silentMs = Duration.between(lease.renewedAt(), now).toMillis();
            LOG.info("host {}: lease expired, silent for {} ms", lease.hostId(), silentMs);
            lifecycle.leaseExpired(lease.hostId(), new LeaseEvent(lease.generation(), now.toEpochMilli(), silentMs));
        }
        return expired.size();
    }
}
