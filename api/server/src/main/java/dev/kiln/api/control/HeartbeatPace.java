package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.MetricsDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;

/**
 * How often hosts heartbeat and how long a lease lasts, scaled with the fleet so that its heartbeats stay near
 * {@code targetRate} per second (Nomad stretches its heartbeat TTL the same way): a small fleet beats every
 * {@code minInterval}, a large one less often, never less often than {@code maxInterval}. A lease outlives three
 * missed beats, and never less than {@code minTimeout}. Every heartbeat reply carries the interval, so a host follows
 * the fleet's size within one beat.
 */
public final class HeartbeatPace {
    /** The fleet's size is read at most this often: it changes with registrations, not with heartbeats. */
    private static final Duration FLEET_SIZE_TTL = Duration.ofSeconds(10);
    private static final int MISSED_BEATS = 3;

    private final Duration minInterval;
    private final Duration maxInterval;
    private final Duration minTimeout;
    private final double targetRate;
    private final LongSupplier fleetSize;
    private final Clock clock;
    private long cachedSize;
    private Instant cachedAt = Instant.MIN;

    public HeartbeatPace(Duration minInterval, Duration maxInterval, Duration minTimeout, double targetRate,
            LongSupplier fleetSize, Clock clock) {
        this.minInterval = requireNonNull(minInterval, "minInterval is null");
        this.maxInterval = requireNonNull(maxInterval, "maxInterval is null");
        this.minTimeout = requireNonNull(minTimeout, "minTimeout is null");
        if (targetRate <= 0) {
            throw new IllegalArgumentException("targetRate must be positive");
        }
        this.targetRate = targetRate;
        this.fleetSize = requireNonNull(fleetSize, "fleetSize is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The fleet's size read from PostgreSQL: registered hosts, the ones that heartbeat. */
    public static LongSupplier registeredHosts(Jdbi jdbi) {
        return () -> jdbi.onDemand(MetricsDao.class).registeredHosts();
    }

    /** The interval for a fleet of {@code hosts}. */
    public Duration interval(long hosts) {
        Duration spread = Duration.ofMillis((long) Math.ceil(hosts * 1000.0 / targetRate));
        return spread.compareTo(minInterval) < 0 ? minInterval : spread.compareTo(maxInterval) > 0 ? maxInterval : spread;
    }

    /** How long a lease renewed at {@code interval} lasts. */
    public Duration timeout(Duration interval) {
        Duration missed = interval.multipliedBy(MISSED_BEATS);
        return missed.compareTo(minTimeout) < 0 ? minTimeout : missed;
    }

    /** The interval for the fleet as it is now. */
    public synchronized Duration interval() {
        Instant now = clock.instant();
        if (cachedAt.plus(FLEET_SIZE_TTL).isBefore(now)) {
            cachedSize = fleetSize.getAsLong();
            cachedAt = now;
        }
        return interval(cachedSize);
    }

    /**
     * The grace the sweeper gives every host after its view was stale, or kiln-api started: a lease timeout at the
     * current interval, the time a host needs to renew against a control plane that is back.
     */
    public Duration grace() {
        return timeout(interval());
    }
}
