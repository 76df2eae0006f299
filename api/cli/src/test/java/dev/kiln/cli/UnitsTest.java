package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void bytesUseDecimalUnitsWithOneDecimalAsTheSessionMessagesDo() {
        assertThat(Units.bytes(0)).isEqualTo("0 B");
        assertThat(Units.bytes(999)).isEqualTo("999 B");
        assertThat(Units.bytes(1000)).isEqualTo("1.0 kB");
        assertThat(Units.bytes(1_500)).isEqualTo("1.5 kB");
        assertThat(Units.bytes(2_100_000_000L)).isEqualTo("2.1 GB");
        assertThat(Units.bytes(7_000_000_000L)).isEqualTo("7.0 GB");
        assertThat(Units.bytes(3_200_000_000_000L)).isEqualTo("3.2 TB");
    }

    @Test
    void bytesNeverShowOneThousandOfAUnit() {
        assertThat(Units.bytes(999_960)).isEqualTo("1.0 MB");
        assertThat(Units.bytes(999_949)).isEqualTo("999.9 kB");
    }

    @Test
    void bytesAreTheSameInEveryLocale() {
        Locale previous = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Units.bytes(1_500)).isEqualTo("1.5 kB");
        } finally {
            Locale.setDefault(previous);
        }
    }

    @Test
    void ratesAndDurations() {
        assertThat(Units.rate(12_345_678.0)).isEqualTo("12.3 MB/s");
        assertThat(Units.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Units.duration(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
        assertThat(Units.duration(Duration.ofSeconds(245))).isEqualTo("4m 05s");
        assertThat(Units.duration(Duration.ofMinutes(123))).isEqualTo("2h 03m");
    }

    @Test
    void agesAreCoarse() {
        assertThat(Units.ago(Duration.ofMillis(300))).isEqualTo("just now");
        assertThat(Units.ago(Duration.ofSeconds(4))).isEqualTo("4s ago");
        assertThat(Units.ago(Duration.ofSeconds(190))).isEqualTo("3m ago");
        assertThat(Units.ago(Duration.ofHours(2))).isEqualTo("2h ago");
        assertThat(Units.ago(Duration.ofDays(5))).isEqualTo("5d ago");
    }
}
