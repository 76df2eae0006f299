package dev.kiln.workflows;

import static java.util.Objects.requireNonNull;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Duration;

/**
 * The Temporal SDK's own metrics (workers, pollers, schedule-to-start and execution latencies, requests) reported
 * into a Micrometer registry, for kiln-api and kiln-host alike: pass {@link #scope} to
 * {@code WorkflowServiceStubsOptions.setMetricsScope}.
 */
public final class TemporalMetrics {
    /**
     * How often the SDK flushes its counters and gauges into the registry (its latencies are recorded at once):
     * well under a usual scrape interval, so a scrape is at most this stale.
     */
    private static final com.uber.m3.util.Duration REPORT_INTERVAL = com.uber.m3.util.Duration.ofSeconds(5);

    /**
     * The SDK publishes every latency as a percentile histogram: about 70 buckets from 1 ms to 30 s, for each
     * activity type, task queue and worker type, on every host. These 16 cover what is read from them (a 10 s
     * schedule-to-start alert, the one-minute host ScheduleToStart, steps of many minutes) at a quarter of the series.
     */
    private static final double[] LATENCY_BUCKETS_SECONDS =
            {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800};

    private TemporalMetrics() {}

    /** Registers the bucket filter on {@code registry} and returns a scope that reports into it. */
    public static Scope scope(MeterRegistry registry) {
        requireNonNull(registry, "registry is null");
        registry.config().meterFilter(latencyBuckets());
        return new RootScopeBuilder()
                .reporter(new MicrometerClientStatsReporter(registry))
                .reportEvery(REPORT_INTERVAL);
    }

    static MeterFilter latencyBuckets() {
        double[] nanos = new double[LATENCY_BUCKETS_SECONDS.length];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = Duration.ofMillis(Math.round(LATENCY_BUCKETS_SECONDS[i] * 1000)).toNanos();
        }
        DistributionStatisticConfig buckets = DistributionStatisticConfig.builder()
                .percentilesHistogram(false)
                .serviceLevelObjectives(nanos)
                .build();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("temporal_")) {
                    return config;
                }
                return buckets.merge(config);
            }
        };
    }
}
