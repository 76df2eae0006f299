package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.FleetStatsDao;
import dev.kiln.db.Ids;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a tick of {@code fleet_stats} every 10 s and forgets ticks older than 60 days (the reference's sampler).
 * Ticks are aligned to the 10 s grid, so every kiln-api replica samples the same instants and the table's key
 * keeps one row per tick.
 */
public final class FleetStatsSampler implements Managed {
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    public static final Duration RETENTION = Duration.ofDays(60);
    private static final Logger LOG = LoggerFactory.getLogger(FleetStatsSampler.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private ScheduledExecutorService executor;

    public FleetStatsSampler(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fleet-stats-sampler");
            thread.setDaemon(true);
            return thread;
        });
        long interval = INTERVAL.toMillis();
        long untilNextTick = interval - Math.floorMod(clock.millis(), interval);
        executor.scheduleAtFixedRate(this::sampleQuietly, untilNextTick, interval, TimeUnit.MILLISECONDS);
    }

    /** Records the tick the clock is in. */
    private void sample() {
        long interval = INTERVAL.toMillis();
        Instant tick = Instant.ofEpochMilli(Math.floorDiv(clock.millis(), interval) * interval);
        FleetStatsDao stats = jdbi.onDemand(FleetStatsDao.class);
        stats.sample(tick, Ids.PLATFORM_TEAM_ID);
        stats.deleteBefore(tick.minus(RETENTION));
    }

    /** A failed tick (the database restarting, say) is a gap in the chart, never the end of sampling. */
    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warn("fleet stats sample failed: {}", e.getMessage());
        }
    }

    @Override
    public void stop() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
