package dev.kiln.activities.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.workflows.sandbox.MetricPoint;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MetricTiersTest {

    /** A day boundary, so that every window starts exactly at a multiple of its length. */
    private static final long START = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();

    private final MutableClock clock = new MutableClock(START);
    private final MetricTiers tiers = new MetricTiers(clock);

    @Test
    void noSamplesGiveEmptyTiers() {
        SandboxMetrics metrics = tiers.snapshot();

        assertThat(metrics.raw()).isEmpty();
        assertThat(metrics.halfMinute()).isEmpty();
        assertThat(metrics.fiveMinute()).isEmpty();
    }

    @Test
    void halfMinuteWindowsAverageTheirSamplesAndTheOpenWindowReportsItsAverageSoFar() {
        // 60 samples at 500 ms fill the first 30 s window: cpu 0..59, rss 100..159.
        for (int i = 0; i < 60; i++) {
            sample(START + i * 500L, i, 100 + i, 1000);
        }
        sample(START + 30_000, 10, 20, 3000);
        sample(START + 30_500, 30, 40, 5000);

        SandboxMetrics metrics = tiers.snapshot();

        assertThat(metrics.raw()).hasSize(62);
        assertThat(metrics.halfMinute()).hasSize(2);
        MetricPoint first = metrics.halfMinute().get(0);
        assertThat(first.t()).isEqualTo(START);
        assertThat(first.cpuPct()).isCloseTo(29.5, within(1e-9));
        assertThat(first.rssBytes()).isEqualTo(130); // 129.5 rounds half up
        assertThat(first.diskBytes()).isEqualTo(1000);
        assertThat(metrics.halfMinute().get(1)).isEqualTo(new MetricPoint(START + 30_000, 20, 30, 4000));
        assertThat(metrics.fiveMinute()).hasSize(1);
        assertThat(metrics.fiveMinute().get(0).t()).isEqualTo(START);
        assertThat(metrics.fiveMinute().get(0).cpuPct()).isCloseTo((1770 + 40) / 62.0, within(1e-9));
    }

    @Test
    void fiveMinuteWindowsAverageTheRawSamplesNotTheHalfMinuteAverages() {
        // One sample in the first half minute, three in the second: averaging averages would give 25, not 32.5.
        sample(START, 10, 0, 0);
        sample(START + 30_000, 30, 0, 0);
        sample(START + 30_500, 40, 0, 0);
        sample(START + 31_000, 50, 0, 0);
        sample(START + 300_000, 7, 0, 0);

        SandboxMetrics metrics = tiers.snapshot();

        assertThat(metrics.fiveMinute()).extracting(MetricPoint::t).containsExactly(START, START + 300_000);
        assertThat(metrics.fiveMinute().get(0).cpuPct()).isCloseTo(32.5, within(1e-9));
        assertThat(metrics.fiveMinute().get(1).cpuPct()).isCloseTo(7, within(1e-9));
    }

    @Test
    void rawSamplesAreKeptForTenMinutes() {
        for (long t = START; t < START + Duration.ofMinutes(15).toMillis(); t += 500) {
            sample(t, 1, 1, 1);
        }
        long last = START + Duration.ofMinutes(15).toMillis() - 500;

        SandboxMetrics metrics = tiers.snapshot();

        assertThat(metrics.raw()).hasSize(MetricTiers.RAW_CAPACITY);
        assertThat(metrics.raw().get(0).t()).isEqualTo(last - Duration.ofMinutes(10).toMillis() + 500);
        assertThat(metrics.raw().get(metrics.raw().size() - 1).t()).isEqualTo(last);
    }

    @Test
    void eachTierForgetsPointsOlderThanItsRetentionAsTheClockMoves() {
        // One sample a minute for 25 hours.
        for (long minute = 0; minute < 25 * 60; minute++) {
            sample(START + Duration.ofMinutes(minute).toMillis(), minute, 0, 0);
        }
        long now = clock.millis();

        SandboxMetrics metrics = tiers.snapshot();

        assertThat(metrics.raw()).allSatisfy(point -> assertThat(point.t()).isGreaterThanOrEqualTo(now - 600_000));
        assertThat(metrics.raw()).hasSize(11);
        // Two hours of half-minute windows, only every other one holding a sample.
        assertThat(metrics.halfMinute()).hasSize(121);
        assertThat(metrics.halfMinute().get(0).t()).isEqualTo(now - Duration.ofHours(2).toMillis());
        // 24 hours of five-minute windows: the first starting within the last 24 h, the last still filling.
        assertThat(metrics.fiveMinute()).hasSize(288);
        assertThat(metrics.fiveMinute().get(0).t()).isEqualTo(START + Duration.ofMinutes(60).toMillis());
        MetricPoint lastWindow = metrics.fiveMinute().get(metrics.fiveMinute().size() - 1);
        assertThat(lastWindow.t()).isEqualTo(START + Duration.ofMinutes(1495).toMillis());
        assertThat(lastWindow.cpuPct()).isCloseTo(1497, within(1e-9));

        clock.set(now + Duration.ofHours(3).toMillis());
        SandboxMetrics later = tiers.snapshot();

        assertThat(later.raw()).isEmpty();
        assertThat(later.halfMinute()).isEmpty();
        assertThat(later.fiveMinute()).hasSize(288 - 36);
    }

    /** Records a sample taken at {@code t}, as the sampler does: the clock reads {@code t} at that moment. */
    private void sample(long t, double cpuPct, long rssBytes, long diskBytes) {
        clock.set(t);
        tiers.add(new MetricPoint(t, cpuPct, rssBytes, diskBytes));
    }

    private static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void set(long millis) {
            this.millis = millis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }
}
