package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.representation.FleetStatsView;
import dev.kiln.db.FleetStatsDao;
import dev.kiln.db.FleetStatsRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** The fleet sampler's series for a window, bucketed so that every range draws a few hundred points at most. */
public final class FleetStats {
    /** Window and bucket per range: 5m and 1h keep every 10 s tick; longer windows bucket to about 300 points. */
    public enum Range {
        FIVE_MINUTES("5m", Duration.ofMinutes(5), Duration.ofSeconds(10)),
        ONE_HOUR("1h", Duration.ofHours(1), Duration.ofSeconds(10)),
        SIX_HOURS("6h", Duration.ofHours(6), Duration.ofMinutes(1)),
        ONE_DAY("24h", Duration.ofHours(24), Duration.ofMinutes(5)),
        THIRTY_DAYS("30d", Duration.ofDays(30), Duration.ofHours(2));

        final String wire;
        final Duration window;
        final Duration bucket;

        Range(String wire, Duration window, Duration bucket) {
            this.wire = wire;
            this.window = window;
            this.bucket = bucket;
        }

        static Range parse(String value) {
            for (Range range : values()) {
                if (range.wire.equals(value)) {
                    return range;
                }
            }
            throw ApiException.badRequest("range must be 5m, 1h, 6h, 24h or 30d");
        }
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public FleetStats(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The caller's team, or for an admin key the whole fleet; a null range is 1h. */
    public FleetStatsView series(Caller caller, String range) {
        Range chosen = range == null ? Range.ONE_HOUR : Range.parse(range);
        long bucketSeconds = chosen.bucket.toSeconds();
        Instant now = clock.instant();
        Instant from = floor(now.minus(chosen.window), bucketSeconds);
        FleetStatsDao stats = jdbi.onDemand(FleetStatsDao.class);
        List<FleetStatsRow> buckets = stats.buckets(caller.admin() ? null : caller.teamId(), from, bucketSeconds);
        Instant firstTick = stats.firstTick().orElse(now);
        return new FleetStatsView(chosen.wire, bucketSeconds, fill(buckets, floor(later(from, firstTick), bucketSeconds),
                floor(now, bucketSeconds), bucketSeconds));
    }

    /**
     * One point per bucket from {@code first} to {@code last}: a bucket without ticks of the team is a bucket with
     * nothing running (the sampler wrote the platform's row, so it was sampling). Before sampling began there are
     * no points at all, rather than zeros that would claim an empty fleet.
     */
    static List<FleetStatsView.Point> fill(List<FleetStatsRow> buckets, Instant first, Instant last, long bucketSeconds) {
        Map<Instant, FleetStatsRow> byTime = buckets.stream()
                .collect(Collectors.toMap(FleetStatsRow::t, Function.identity(), (a, b) -> a, LinkedHashMap::new));
        List<FleetStatsView.Point> points = new ArrayList<>();
        for (Instant t = first; !t.isAfter(last); t = t.plusSeconds(bucketSeconds)) {
            FleetStatsRow row = byTime.get(t);
            points.add(row == null
                    ? new FleetStatsView.Point(t, 0, 0, 0, 0)
                    : new FleetStatsView.Point(t, row.running(), row.paused(), row.vcpusReserved(), row.memoryReservedMb()));
        }
        return points;
    }

    private static Instant floor(Instant t, long bucketSeconds) {
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), bucketSeconds) * bucketSeconds);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
