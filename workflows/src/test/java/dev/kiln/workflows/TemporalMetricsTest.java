package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TemporalMetricsTest {

    @Test
    void temporalLatenciesGetKilnsSixteenBucketsAndOtherTimersKeepTheirOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(TemporalMetrics.latencyBuckets());

        // As MicrometerClientStatsReporter registers the SDK's latencies.
        Timer temporal = Timer.builder("temporal_activity_schedule_to_start_latency").publishPercentileHistogram(true)
                .register(registry);
        temporal.record(Duration.ofSeconds(12));
        Timer kiln = Timer.builder("kiln.build.duration").serviceLevelObjectives(Duration.ofSeconds(1))
                .register(registry);

        CountAtBucket[] buckets = temporal.takeSnapshot().histogramCounts();
        assertThat(buckets).hasSize(16);
        assertThat(buckets[10].bucket(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(10.0);
        assertThat(buckets[10].count()).isZero();
        assertThat(buckets[11].bucket(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(30.0);
        assertThat(buckets[11].count()).isEqualTo(1);
        assertThat(kiln.takeSnapshot().histogramCounts()).hasSize(1);
    }
}
