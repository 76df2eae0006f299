package dev.kiln.activities.sampler;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.sandbox.MetricPoint;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One sandbox's samples in three tiers: every sample for 10 minutes, 30 s averages for 2 hours, 5 min averages
 * for 24 hours. Averages are of the raw samples in each window aligned to the epoch, stamped with the window's
 * start; the window still filling is reported as the average so far, so that a sandbox paused after 20 seconds
 * still has a point in every tier. Retention is by the injected clock; each tier is also capped in count, so that
 * memory stays bounded whatever the samples' timestamps say. Thread-safe: the sampler adds, activities read.
 */
public final class MetricTiers {

    static final Duration RAW_RETENTION = Duration.ofMinutes(10);
    static final Duration HALF_MINUTE = Duration.ofSeconds(30);
    static final Duration HALF_MINUTE_RETENTION = Duration.ofHours(2);
    static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    static final Duration FIVE_MINUTE_RETENTION = Duration.ofHours(24);
    /** Ten minutes of 500 ms samples. */
    static final int RAW_CAPACITY = 1200;

    private final Clock clock;
    private final Tier raw = new Tier(RAW_RETENTION, RAW_CAPACITY);
    private final Averages halfMinute = new Averages(HALF_MINUTE, HALF_MINUTE_RETENTION);
    private final Averages fiveMinutes = new Averages(FIVE_MINUTES, FIVE_MINUTE_RETENTION);

    public MetricTiers(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    public synchronized void add(MetricPoint point) {
        requireNonNull(point, "point is null");
        raw.add(point);
        halfMinute.add(point);
        fiveMinutes.add(point);
        prune(clock.millis());
    }

    /** The tiers, oldest first, as of the clock's now. */
    public synchronized SandboxMetrics snapshot() {
        long now = clock.millis();
        prune(now);
        return new SandboxMetrics(raw.points(), halfMinute.points(now), fiveMinutes.points(now));
    }

    private void prune(long now) {
        raw.prune(now);
        halfMinute.closed.prune(now);
        fiveMinutes.closed.prune(now);
    }

    /** Points kept for {@code retention} and at most {@code capacity} of them: a ring of the newest. */
    private static final class Tier {
        private final long retentionMillis;
        private final int capacity;
        private final ArrayDeque<MetricPoint> points = new ArrayDeque<>();

        Tier(Duration retention, int capacity) {
            this.retentionMillis = retention.toMillis();
            this.capacity = capacity;
        }

        void add(MetricPoint point) {
            if (points.size() == capacity) {
                points.removeFirst();
            }
            points.addLast(point);
        }

        void prune(long now) {
            while (!points.isEmpty() && points.peekFirst().t() < now - retentionMillis) {
                points.removeFirst();
            }
        }

        List<MetricPoint> points() {
            return List.copyOf(points);
        }
    }

    /** Closed windows' averages, and the running sums of the window being filled. */
    private static final class Averages {
        private final long windowMillis;
        private final long retentionMillis;
        private final Tier closed;
        private long windowStart = Long.MIN_VALUE;
        private int count;
        private double cpuPct;
        private double rssBytes;
        private double diskBytes;

        Averages(Duration window, Duration retention) {
            this.windowMillis = window.toMillis();
            this.retentionMillis = retention.toMillis();
            this.closed = new Tier(retention, (int) (retention.toMillis() / window.toMillis()));
        }

        void add(MetricPoint point) {
            long start = Math.floorDiv(point.t(), windowMillis) * windowMillis;
            if (start != windowStart) {
                if (count > 0) {
                    closed.add(average());
                }
                windowStart = start;
                count = 0;
                cpuPct = 0;
                rssBytes = 0;
                diskBytes = 0;
            }
            count++;
            cpuPct += point.cpuPct();
            rssBytes += point.rssBytes();
            diskBytes += point.diskBytes();
        }

        List<MetricPoint> points(long now) {
            List<MetricPoint> points = new ArrayList<>(closed.points());
            if (count > 0 && windowStart >= now - retentionMillis) {
                points.add(average());
            }
            return List.copyOf(points);
        }

        private MetricPoint average() {
            return new MetricPoint(windowStart, cpuPct / count, Math.round(rssBytes / count),
                    Math.round(diskBytes / count));
        }
    }
}
