package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SparklineTest {
    @Test
    void scalesToTheLargestValueAcrossTheEightBlocks() {
        assertThat(Sparkline.of(List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0))).isEqualTo("▁▂▃▄▅▆▇█");
        assertThat(Sparkline.of(List.of(10.0, 5.0, 0.0))).isEqualTo("█▅▁");
    }

    @Test
    void zerosNegativesAndNothingDrawFlatOrEmpty() {
        assertThat(Sparkline.of(List.of(0.0, 0.0, 0.0))).isEqualTo("▁▁▁");
        assertThat(Sparkline.of(List.of(-3.0, 6.0))).isEqualTo("▁█");
        assertThat(Sparkline.of(List.of())).isEmpty();
    }

    @Test
    void ofLastKeepsTheNewestValues() {
        assertThat(Sparkline.ofLast(List.of(7.0, 0.0, 7.0), 2)).isEqualTo("▁█");
        assertThat(Sparkline.ofLast(List.of(7.0), 5)).isEqualTo("█");
    }

    @Test
    void ratesOfACumulativeCounterArePerSecondAndNeverNegative() {
        List<Double> rates = Sparkline.rates(
                List.of(0L, 1000L, 3000L, 3000L, 3500L),
                List.of(0L, 5_000_000L, 9_000_000L, 9_000_000L, 8_000_000L));
        // 5 MB in 1 s, 4 MB in 2 s, a pair without time between skipped, a counter that went back counts as 0.
        assertThat(rates).containsExactly(5_000_000.0, 2_000_000.0, 0.0);
    }

    @Test
    void ratesRefuseMismatchedSeries() {
        assertThatThrownBy(() -> Sparkline.rates(List.of(1L), List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
