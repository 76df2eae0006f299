package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void fillsInProportionRoundingDownSoThatOnlyTheWholeIsFull() {
        assertThat(ProgressBar.render(5, 10, 10)).isEqualTo("[#####-----]");
        assertThat(ProgressBar.render(4, 12, 10)).isEqualTo("[###-------]");
        assertThat(ProgressBar.render(11, 12, 10)).isEqualTo("[#########-]");
        assertThat(ProgressBar.render(12, 12, 10)).isEqualTo("[##########]");
    }

    @Test
    void unknownTotalDrawsAnEmptyBarAndOutOfRangeValuesAreClamped() {
        assertThat(ProgressBar.render(3, 0, 5)).isEqualTo("[-----]");
        assertThat(ProgressBar.render(-1, 10, 5)).isEqualTo("[-----]");
        assertThat(ProgressBar.render(30, 10, 5)).isEqualTo("[#####]");
    }

    @Test
    void bytesCopiedBeyondIntRangeStillScale() {
        long total = 7_000_000_000L;
        assertThat(ProgressBar.render(2_100_000_000L, total, 20)).isEqualTo("[######--------------]");
        assertThat(ProgressBar.percent(2_100_000_000L, total)).isEqualTo(30);
        assertThat(ProgressBar.percent(5, 0)).isZero();
    }

    @Test
    void refusesAZeroWidth() {
        assertThatThrownBy(() -> ProgressBar.render(1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
