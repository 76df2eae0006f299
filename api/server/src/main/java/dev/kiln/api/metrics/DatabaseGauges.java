package dev.kiln.api.metrics;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.MetricsDao;
import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenStatus;
import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import dev.kiln.model.WireValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from PostgreSQL when Prometheus scrapes: the database is the system of record, so every replica of
 * kiln-api reports the same fleet, and nothing has to be kept in step with it in memory. Rows that disappear (a
 * deleted host, a cleared golden) take their series with them.
 */
final class DatabaseGauges {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseGauges.class);

    // Every status the schema allows, so a status nobody is in reads 0 rather than vanishing.
    static final List<String> HOST_STATUSES = spellings(Arrays.stream(HostStatus.values()).filter(HostStatus::stored));
    static final List<String> SANDBOX_STATUSES = spellings(Arrays.stream(SandboxStatus.values()));
    static final List<String> BUILD_STATUSES = spellings(Arrays.stream(BuildStatus.values()));
    static final List<String> GOLDEN_HOST_STATUSES = spellings(Arrays.stream(GoldenStatus.values()));

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration buildDeadline;
    private final MultiGauge hosts;
    private final MultiGauge heartbeatAge;
    private final MultiGauge sandboxes;
    private final MultiGauge builds;
    private final MultiGauge goldenHosts;
    private final MultiGauge goldenSize;
    private final AtomicLong pastDeadline = new AtomicLong();
    private final Counter failures;

    DatabaseGauges(Jdbi jdbi, MeterRegistry registry, Duration buildDeadline, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.buildDeadline = requireNonNull(buildDeadline, "buildDeadline is null");
        requireNonNull(registry, "registry is null");
        hosts = MultiGauge.builder("kiln.hosts").description("Registered hosts by status").register(registry);
        heartbeatAge = MultiGauge.builder("kiln.host.heartbeat.age").baseUnit("seconds")
                .description("Time since each host's last heartbeat").register(registry);
        sandboxes = MultiGauge.builder("kiln.sandboxes").description("Sandboxes by status").register(registry);
        builds = MultiGauge.builder("kiln.builds").description("Template builds by status").register(registry);
        goldenHosts = MultiGauge.builder("kiln.golden.hosts")
                .description("Golden caches (one per project and host) by status").register(registry);
        goldenSize = MultiGauge.builder("kiln.golden.size").baseUnit("bytes")
                .description("Size of the golden cache each host holds for a project").register(registry);
        Gauge.builder("kiln.builds.running.past.deadline", pastDeadline, AtomicLong::get)
                .description("Builds still pending or running although submitted longer than the build deadline ago")
                .register(registry);
        failures = Counter.builder("kiln.metrics.refresh.failures")
                .description("Scrapes whose database gauges could not be read (they keep their previous values)")
                .register(registry);
    }

    /** Reads every gauge afresh; a database error leaves the previous values and is counted, not thrown. */
    synchronized void refresh() {
        try {
            Instant now = clock.instant();
            MetricsDao dao = jdbi.onDemand(MetricsDao.class);
            hosts.register(byStatus(HOST_STATUSES, dao.hostsByStatus()), true);
            sandboxes.register(byStatus(SANDBOX_STATUSES, dao.sandboxesByStatus()), true);
            builds.register(byStatus(BUILD_STATUSES, dao.buildsByStatus()), true);
            goldenHosts.register(byStatus(GOLDEN_HOST_STATUSES, dao.goldenHostsByStatus()), true);
            List<MultiGauge.Row<?>> ages = new ArrayList<>();
            for (MetricsDao.HostHeartbeat heartbeat : dao.heartbeats()) {
                double seconds = Math.max(0, Duration.between(heartbeat.lastHeartbeatAt(), now).toMillis() / 1000.0);
                ages.add(MultiGauge.Row.of(Tags.of("host", heartbeat.hostId()), seconds));
            }
            heartbeatAge.register(ages, true);
            List<MultiGauge.Row<?>> sizes = new ArrayList<>();
            for (MetricsDao.GoldenSize golden : dao.goldenSizes()) {
                sizes.add(MultiGauge.Row.of(Tags.of("project", golden.projectId(), "host", golden.hostId()),
                        golden.sizeBytes()));
            }
            goldenSize.register(sizes, true);
            pastDeadline.set(dao.unfinishedBuildsSubmittedBefore(now.minus(buildDeadline)));
        } catch (JdbiException e) {
            failures.increment();
            LOG.warn("could not read the database gauges for a scrape", e);
        }
    }

    private static List<MultiGauge.Row<?>> byStatus(List<String> known, List<MetricsDao.StatusCount> counts) {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        known.forEach(status -> byStatus.put(status, 0L));
        counts.forEach(count -> byStatus.put(count.status(), count.count()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        byStatus.forEach((status, count) -> rows.add(MultiGauge.Row.of(Tags.of("status", status), count)));
        return rows;
    }

    private static List<String> spellings(Stream<? extends WireValue> values) {
        return values.map(WireValue::wire).toList();
    }
}
