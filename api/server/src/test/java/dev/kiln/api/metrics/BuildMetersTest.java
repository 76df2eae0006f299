package dev.kiln.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildMetersTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BuildMeters meters = new BuildMeters(registry);

    @Test
    void everySeriesExistsAtZeroBeforeTheFirstBuild() {
        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "kiln_build_duration_seconds_count{phase=\"queue\",status=\"cancelled\"} 0",
                "kiln_build_step_duration_seconds_count{phase=\"postbuild\"} 0",
                "kiln_golden_builds_total{status=\"failed\"} 0");
    }

    @Test
    void anEndedBuildLandsInTheBucketsOfEachOfItsPhases() {
        meters.buildEnded(BuildStatus.SUCCESS, Map.of("queue", Duration.ofSeconds(3), "total", Duration.ofSeconds(90)));
        meters.stepFinished("recipe", Duration.ofMillis(400));
        meters.goldenBuildEnded(GoldenBuildStatus.FAILED);

        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "kiln_build_duration_seconds_bucket{phase=\"queue\",status=\"success\",le=\"5.0\"} 1",
                "kiln_build_duration_seconds_bucket{phase=\"total\",status=\"success\",le=\"60.0\"} 0",
                "kiln_build_duration_seconds_bucket{phase=\"total\",status=\"success\",le=\"120.0\"} 1",
                "kiln_build_duration_seconds_sum{phase=\"total\",status=\"success\"} 90.0",
                "kiln_build_step_duration_seconds_bucket{phase=\"recipe\",le=\"0.5\"} 1",
                "kiln_golden_builds_total{status=\"failed\"} 1.0");
    }
}
