package dev.kiln.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");
    private static final Map<String, Object> IDLE =
            Map.of("running_sandboxes", 0, "cpu_pct", 3.0, "memory_used_mb", 4000L, "disk_used_gb", 20L);

    private final LoadReport report = new LoadReport();

    @Test
    void theFirstLoadIsAlwaysSentAndThenOnlyWhatMoved() {
        assertThat(report.toSend(IDLE, T0)).isEqualTo(IDLE);
        report.sent(IDLE, T0);

        assertThat(report.toSend(with("cpu_pct", 12.9), T0.plusSeconds(30))).as("cpu moved 9.9 points").isEmpty();
        assertThat(report.toSend(with("cpu_pct", 13.0), T0.plusSeconds(30))).as("cpu moved 10 points").isNotEmpty();
        assertThat(report.toSend(with("memory_used_mb", 4255L), T0.plusSeconds(30))).isEmpty();
        assertThat(report.toSend(with("memory_used_mb", 4256L), T0.plusSeconds(30))).isNotEmpty();
        assertThat(report.toSend(with("disk_used_gb", 21L), T0.plusSeconds(30))).isNotEmpty();
        assertThat(report.toSend(with("running_sandboxes", 1), T0.plusSeconds(30))).as("a sandbox started")
                .isNotEmpty();
    }

    @Test
    void anUnchangedLoadIsRefreshedEveryFewMinutes() {
        report.sent(IDLE, T0);

        assertThat(report.toSend(IDLE, T0.plus(LoadReport.REFRESH).minusSeconds(1))).isEmpty();
        assertThat(report.toSend(IDLE, T0.plus(LoadReport.REFRESH))).isEqualTo(IDLE);
    }

    @Test
    void aBeatThatCarriedNoLoadDoesNotCountAsARefresh() {
        report.sent(IDLE, T0);
        report.sent(Map.of(), T0.plus(LoadReport.REFRESH));

        assertThat(report.toSend(IDLE, T0.plus(LoadReport.REFRESH))).isEqualTo(IDLE);
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> load = new HashMap<>(IDLE);
        load.put(key, value);
        return Map.copyOf(load);
    }
}
