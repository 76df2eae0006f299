package dev.kiln.api.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.model.BuildStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildTimingsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void successfulBuildSpendsQueueStepPhasesAndPublishBetweenSubmitAndEnd() {
        BuildRow build = build(BuildStatus.SUCCESS, T0.plusSeconds(100));
        List<BuildStepRow> steps = List.of(
                step(1, "pre-build", 10, 20),
                step(2, "recipe", 20, 50),
                step(3, "recipe", 50, 60),
                step(4, "post-build", 60, 70));

        assertThat(BuildTimings.phases(build, steps)).containsExactly(
                Map.entry("queue", Duration.ofSeconds(10)),
                Map.entry("prebuild", Duration.ofSeconds(10)),
                Map.entry("recipe", Duration.ofSeconds(40)),
                Map.entry("postbuild", Duration.ofSeconds(10)),
                Map.entry("publish", Duration.ofSeconds(30)),
                Map.entry("total", Duration.ofSeconds(100)));
    }

    @Test
    void failedBuildEndsItsCutShortStepAtTheBuildsEndAndHasNoPublishPhase() {
        BuildRow build = build(BuildStatus.FAILED, T0.plusSeconds(45));
        List<BuildStepRow> steps = List.of(step(1, "recipe", 5, 15), step(2, "recipe", 15, null));

        assertThat(BuildTimings.phases(build, steps)).containsExactly(
                Map.entry("queue", Duration.ofSeconds(5)),
                Map.entry("recipe", Duration.ofSeconds(40)),
                Map.entry("total", Duration.ofSeconds(45)));
    }

    @Test
    void buildCancelledBeforeAnyStepSpentItsWholeLifeQueued() {
        assertThat(BuildTimings.phases(build(BuildStatus.CANCELLED, T0.plusSeconds(7)), List.of())).containsExactly(
                Map.entry("queue", Duration.ofSeconds(7)),
                Map.entry("total", Duration.ofSeconds(7)));
    }

    @Test
    void stepPhasesGetLabelsWithoutDashes() {
        assertThat(BuildTimings.phaseLabel("pre-build")).isEqualTo("prebuild");
        assertThat(BuildTimings.phaseLabel("recipe")).isEqualTo("recipe");
        assertThat(BuildTimings.phaseLabel("post-build")).isEqualTo("postbuild");
    }

    private static BuildRow build(BuildStatus status, Instant completedAt) {
        return new BuildRow("bld-1", "team-1", "site", "minimal", "kiln/minimal:latest", List.of("RUN true"), null, 1,
                512, false, status, 0, 0, 1, null, null, "host-1", null, null, Map.of(), "test", null, T0,
                T0.plusSeconds(1), completedAt, null);
    }

    private static BuildStepRow step(int number, String phase, long startSecond, Long finishSecond) {
        return new BuildStepRow("bld-1", number, phase, "true", "", "", finishSecond == null ? null : 0,
                finishSecond == null ? null : true, finishSecond == null ? null : (finishSecond - startSecond) * 1000,
                T0.plusSeconds(startSecond), finishSecond == null ? null : T0.plusSeconds(finishSecond), false);
    }

    private static BuildStepRow step(int number, String phase, long startSecond, long finishSecond) {
        return step(number, phase, startSecond, Long.valueOf(finishSecond));
    }
}
