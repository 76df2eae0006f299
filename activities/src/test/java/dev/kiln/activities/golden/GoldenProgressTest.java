package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.workflows.golden.WriteRateSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts: the copy message, the write series arithmetic, ids and layout names. */
class GoldenProgressTest {

    @Test
    void unpackingMessageUsesDecimalGigabytesWithOneDecimal() {
        assertThat(CopyProgressMessages.unpacking(2_100_000_000L, 7_000_000_000L))
                .isEqualTo("Unpacking build cache (2.1/7.0 GB)");
        assertThat(CopyProgressMessages.unpacking(0, 0)).isEqualTo("Unpacking build cache (0.0/0.0 GB)");
        assertThat(CopyProgressMessages.unpacking(2_149_999_999L, 30_000_000_000L))
                .isEqualTo("Unpacking build cache (2.1/30.0 GB)");
    }

    @Test
    void rateIsTheLastDeltaInMegabytesPerSecondAndNeverNegative() {
        List<WriteRateSample> samples = List.of(new WriteRateSample(1_000, 0),
                new WriteRateSample(3_000, 10_000_000), new WriteRateSample(5_000, 50_000_000));
        assertThat(WriteRates.currentMbps(samples)).isCloseTo(20.0, within(1e-9));
        assertThat(WriteRates.currentMbps(List.of(new WriteRateSample(0, 5), new WriteRateSample(1000, 1))))
                .isZero();
        assertThat(WriteRates.currentMbps(List.of(new WriteRateSample(0, 5)))).isZero();
        assertThat(WriteRates.currentMbps(List.of(new WriteRateSample(1000, 5), new WriteRateSample(1000, 9))))
                .isZero();
    }

    @Test
    void cumulativeWritesSurviveProcessesThatExit() {
        WriteRates rates = new WriteRates();
        assertThat(rates.update(Map.of(1L, 100L, 2L, 50L))).isEqualTo(150);
        // pid 2 exited with its counter; pid 3 is new and counts in full
        assertThat(rates.update(Map.of(1L, 130L, 3L, 20L))).isEqualTo(200);
        // pid 1 reused by a process with a smaller counter
        assertThat(rates.update(Map.of(1L, 5L, 3L, 20L))).isEqualTo(205);
    }

    @Test
    void aThinnedSeriesKeepsTheFirstAndLastSamplesAndAtMostMaxEvenlySpread() {
        List<WriteRateSample> samples = java.util.stream.LongStream.range(0, 300)
                .mapToObj(i -> new WriteRateSample(i * 2_000, i * 1_000)).toList();

        List<WriteRateSample> thinned = WriteRates.thinned(samples, 120);

        assertThat(thinned).hasSize(120);
        assertThat(thinned.get(0)).isEqualTo(samples.get(0));
        assertThat(thinned.get(119)).isEqualTo(samples.get(299));
        assertThat(thinned).isSortedAccordingTo((a, b) -> Long.compare(a.tMs(), b.tMs()));
        assertThat(samples).containsAll(thinned);
        assertThat(WriteRates.thinned(samples.subList(0, 50), 120)).isEqualTo(samples.subList(0, 50));
    }

    @Test
    void parsesWriteBytesOfProcIo() {
        assertThat(WriteRates.parseWriteBytes("rchar: 1\nwchar: 2\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n"))
                .isEqualTo(4096);
        assertThat(WriteRates.parseWriteBytes("rchar: 1\n")).isEqualTo(-1);
    }

    @Test
    void daemonNamesAreShortAndStablePerId() {
        GoldenLayout layout = new GoldenLayout(java.nio.file.Path.of("/var/lib/kiln-host/golden"));
        var paths = layout.daemon("session", "a-very-long-session-id-0123456789-0123456789");
        assertThat(paths.netns()).hasSizeLessThanOrEqualTo(15).startsWith("kiln-");
        assertThat(layout.daemon("session", "a-very-long-session-id-0123456789-0123456789")).isEqualTo(paths);
        assertThat(layout.daemon("build", "a-very-long-session-id-0123456789-0123456789").key())
                .isNotEqualTo(paths.key());
        assertThat(paths.execRoot().resolve("containerd/containerd.sock").toString().length()).isLessThan(100);
    }

    @Test
    void idsThatCouldEscapeTheLayoutAreRefused() {
        GoldenLayout layout = new GoldenLayout(java.nio.file.Path.of("/tmp/x"));
        for (String id : new String[] {"../etc", "a/b", "", ".hidden", "a..b"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> layout.session(id))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
