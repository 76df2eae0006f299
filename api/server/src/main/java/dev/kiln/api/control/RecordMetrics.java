package dev.kiln.api.control;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import java.time.Duration;
import java.util.Map;

/**
 * What the control-side activities report as builds and steps end. kiln-api turns these into Prometheus meters;
 * the activities stay free of any metrics library and tests pass {@link #NONE} or a recording fake. Each call is
 * made once per ending: only the activity whose update actually moved the row reports it, not a retry.
 */
public interface RecordMetrics {
    RecordMetrics NONE = new RecordMetrics() {};

    /** A template build step ended; {@code phase} is {@code prebuild}, {@code recipe} or {@code postbuild}. */
    default void stepFinished(String phase, Duration elapsed) {}

    /**
     * A template build ended (a terminal status) after spending {@code phases} in each of its phases
     * ({@link BuildTimings#PHASES}; a phase it never reached is absent).
     */
    default void buildEnded(BuildStatus status, Map<String, Duration> phases) {}

    /** A golden build on one host ended: ready, failed or cancelled. */
    default void goldenBuildEnded(GoldenBuildStatus status) {}
}
