package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.representation.BuildStatusEvent;
import dev.kiln.api.representation.BuildView.StepView;
import dev.kiln.api.representation.StepLogEvent;
import dev.kiln.api.representation.StepProgressEvent;
import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.sandbox.StepProgress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildEventTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private final BuildEventTracker tracker = new BuildEventTracker();

    @Test
    void aLateSubscriberGetsTheStatusThenEveryStepSoFar() {
        List<BuildEventTracker.Event> events = tracker.next(build(BuildStatus.RUNNING, null),
                List.of(finished(1, T0), started(2, T0.plusSeconds(1))), Optional.empty());

        assertThat(names(events)).containsExactly("status", "step-start", "step-end", "step-start");
        assertThat(((BuildStatusEvent) events.get(0).data()).status()).isEqualTo(BuildStatus.RUNNING);
        assertThat(((StepView) events.get(2).data()).exitCode()).isZero();
        assertThat(((StepView) events.get(3).data()).step()).isEqualTo(2);
    }

    @Test
    void onlyChangesAreEmitted() {
        tracker.next(build(BuildStatus.PENDING, null), List.of(), Optional.empty());

        assertThat(tracker.next(build(BuildStatus.PENDING, null), List.of(), Optional.empty())).isEmpty();
        assertThat(names(tracker.next(build(BuildStatus.RUNNING, null), List.of(started(1, T0)), Optional.empty())))
                .containsExactly("status", "step-start");
        assertThat(tracker.next(build(BuildStatus.RUNNING, null), List.of(started(1, T0)), Optional.empty())).isEmpty();
        assertThat(names(tracker.next(build(BuildStatus.RUNNING, null), List.of(finished(1, T0)), Optional.empty())))
                .containsExactly("step-end");
    }

    @Test
    void aRetriedStepStartsAgain() {
        tracker.next(build(BuildStatus.RUNNING, null), List.of(finished(1, T0)), Optional.empty());

        assertThat(names(tracker.next(build(BuildStatus.RUNNING, null), List.of(started(1, T0.plusSeconds(5))),
                Optional.empty())))
                .containsExactly("step-start");
        assertThat(names(tracker.next(build(BuildStatus.RUNNING, null), List.of(finished(1, T0.plusSeconds(5))),
                Optional.empty())))
                .containsExactly("step-end");
    }

    @Test
    void theTerminalStatusComesLastAndEndsTheStream() {
        tracker.next(build(BuildStatus.RUNNING, null), List.of(started(1, T0)), Optional.empty());

        List<BuildEventTracker.Event> events = tracker.next(build(BuildStatus.FAILED, "recipe step 1 failed: boom"),
                List.of(finished(1, T0)), Optional.of(heartbeat(10, 5)));

        assertThat(names(events)).containsExactly("step-end", "status");
        BuildStatusEvent status = (BuildStatusEvent) events.get(1).data();
        assertThat(status.status()).isEqualTo(BuildStatus.FAILED);
        assertThat(status.error().message()).isEqualTo("recipe step 1 failed: boom");
        assertThat(tracker.finished()).isTrue();
        assertThat(tracker.next(build(BuildStatus.FAILED, "x"), List.of(), Optional.empty())).isEmpty();
    }

    @Test
    void heartbeatsOfTheRunningStepBecomeProgressWhenTheyChange() {
        tracker.next(build(BuildStatus.RUNNING, null), List.of(finished(1, T0), started(2, T0)), Optional.empty());

        List<BuildEventTracker.Event> first = tracker.next(build(BuildStatus.RUNNING, null),
                List.of(finished(1, T0), started(2, T0)), Optional.of(heartbeat(1_000, 42)));
        List<BuildEventTracker.Event> same = tracker.next(build(BuildStatus.RUNNING, null),
                List.of(finished(1, T0), started(2, T0)), Optional.of(heartbeat(1_000, 42)));
        List<BuildEventTracker.Event> later = tracker.next(build(BuildStatus.RUNNING, null),
                List.of(finished(1, T0), started(2, T0)), Optional.of(heartbeat(2_000, 42)));

        assertThat(first).extracting(BuildEventTracker.Event::data).containsExactly(new StepProgressEvent(2, 1_000, 42));
        assertThat(same).isEmpty();
        assertThat(later).extracting(BuildEventTracker.Event::data).containsExactly(new StepProgressEvent(2, 2_000, 42));
    }

    @Test
    void outputTailsInHeartbeatsBecomeLogChunksOfNewOutputOnly() {
        List<BuildStepRow> steps = List.of(started(1, T0));
        tracker.next(build(BuildStatus.RUNNING, null), steps, Optional.empty());

        List<BuildEventTracker.Event> first = tracker.next(build(BuildStatus.RUNNING, null), steps,
                Optional.of(new StepProgress(1_000, 8, "one\ntwo\n", "")));
        List<BuildEventTracker.Event> second = tracker.next(build(BuildStatus.RUNNING, null), steps,
                Optional.of(new StepProgress(1_000, 8, "two\nthree\n", "warn\n")));

        assertThat(first).extracting(BuildEventTracker.Event::data)
                .containsExactly(new StepProgressEvent(1, 1_000, 8), new StepLogEvent(1, "stdout", "one\ntwo\n"));
        assertThat(second).extracting(BuildEventTracker.Event::data).containsExactly(
                new StepLogEvent(1, "stdout", "three\n"), new StepLogEvent(1, "stderr", "warn\n"));
    }

    @Test
    void aHeartbeatWithoutTailsFromAnOlderHostMakesProgressButNoLog() {
        List<BuildStepRow> steps = List.of(started(1, T0));
        tracker.next(build(BuildStatus.RUNNING, null), steps, Optional.empty());

        List<BuildEventTracker.Event> events = tracker.next(build(BuildStatus.RUNNING, null), steps,
                Optional.of(heartbeat(1_000, 42)));

        assertThat(names(events)).containsExactly("progress");
    }

    @Test
    void theNextStepsOutputIsNewEvenWhereItRepeatsThePreviousSteps() {
        tracker.next(build(BuildStatus.RUNNING, null), List.of(started(1, T0)),
                Optional.of(new StepProgress(1_000, 3, "ok\n", "")));

        List<BuildEventTracker.Event> next = tracker.next(build(BuildStatus.RUNNING, null),
                List.of(finished(1, T0), started(2, T0)), Optional.of(new StepProgress(1_000, 3, "ok\n", "")));

        assertThat(next).extracting(BuildEventTracker.Event::data).contains(new StepLogEvent(2, "stdout", "ok\n"));
    }


    private static List<String> names(List<BuildEventTracker.Event> events) {
        return events.stream().map(BuildEventTracker.Event::name).toList();
    }

    private static StepProgress heartbeat(long elapsedMs, long outputBytes) {
        return new StepProgress(elapsedMs, outputBytes);
    }

    private static BuildRow build(BuildStatus status, String error) {
        return new BuildRow("bld-1", "team-1", "py", "minimal", "kiln/minimal:latest", List.of("RUN true"), null, 1,
                512, false, status, 0, 0, 2, error, error == null ? null : 1, null, null, null, null, "key-1", null, T0,
                null, null, null);
    }

    private static BuildStepRow started(int step, Instant at) {
        return new BuildStepRow("bld-1", step, "recipe", "RUN true", "", "", null, null, null, at, null, false);
    }

    private static BuildStepRow finished(int step, Instant startedAt) {
        return new BuildStepRow("bld-1", step, "recipe", "RUN true", "ok\n", "", 0, true, 10L, startedAt,
                startedAt.plusSeconds(1), false);
    }
}
