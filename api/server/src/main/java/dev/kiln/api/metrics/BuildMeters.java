package dev.kiln.api.metrics;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.control.BuildTimings;
import dev.kiln.api.control.RecordMetrics;
import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The histograms and counters the control worker records as builds end: {@code kiln_build_duration_seconds},
 * {@code kiln_build_step_duration_seconds} and {@code kiln_golden_builds_total}. Every label combination is
 * registered up front, so the series exist at zero before the first build and {@code increase()} over a counter
 * sees its first step.
 */
final class BuildMeters implements RecordMetrics {
    static final List<BuildStatus> BUILD_STATUSES =
            Arrays.stream(BuildStatus.values()).filter(BuildStatus::terminal).toList();
    static final List<String> STEP_PHASES = List.of(BuildTimings.PREBUILD, BuildTimings.RECIPE, BuildTimings.POSTBUILD);
    static final List<GoldenBuildStatus> GOLDEN_STATUSES =
            Arrays.stream(GoldenBuildStatus.values()).filter(status -> status != GoldenBuildStatus.BUILDING).toList();

    /** Builds take seconds (a trivial recipe) to the one-hour default deadline. */
    private static final Duration[] BUILD_BUCKETS = durations(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200);
    /** Steps run from a blink (ENV, WORKDIR) to many minutes (apt-get, npm ci). */
    private static final Duration[] STEP_BUCKETS = durations(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800);

    private final MeterRegistry registry;

    BuildMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
        for (BuildStatus status : BUILD_STATUSES) {
            for (String phase : BuildTimings.PHASES) {
                buildTimer(phase, status);
            }
        }
        for (String phase : STEP_PHASES) {
            stepTimer(phase);
        }
        for (GoldenBuildStatus status : GOLDEN_STATUSES) {
            goldenBuilds(status);
        }
    }

    @Override
    public void stepFinished(String phase, Duration elapsed) {
        stepTimer(phase).record(elapsed);
    }

    @Override
    public void buildEnded(BuildStatus status, Map<String, Duration> phases) {
        phases.forEach((phase, duration) -> buildTimer(phase, status).record(duration));
    }

    @Override
    public void goldenBuildEnded(GoldenBuildStatus status) {
        goldenBuilds(status).increment();
    }

    private Timer buildTimer(String phase, BuildStatus status) {
        return Timer.builder("kiln.build.duration")
                .description("Time a template build spent in each phase, by how it ended")
                .tags("phase", phase, "status", status.wire())
                .serviceLevelObjectives(BUILD_BUCKETS)
                .register(registry);
    }

    private Timer stepTimer(String phase) {
        return Timer.builder("kiln.build.step.duration")
                .description("Time one template build step ran")
                .tags("phase", phase)
                .serviceLevelObjectives(STEP_BUCKETS)
                .register(registry);
    }

    private Counter goldenBuilds(GoldenBuildStatus status) {
        return Counter.builder("kiln.golden.builds")
                .description("Golden builds that ended on a host, by how they ended")
                .tags("status", status.wire())
                .register(registry);
    }

    private static Duration[] durations(double... seconds) {
        Duration[] durations = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            durations[i] = Duration.ofMillis(Math.round(seconds[i] * 1000));
        }
        return durations;
    }
}
