package dev.kiln.api.core;

import dev.kiln.api.representation.BuildStatusEvent;
import dev.kiln.api.representation.BuildView.StepView;
import dev.kiln.api.representation.StepLogEvent;
import dev.kiln.api.representation.StepProgressEvent;
import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.model.BuildStatus;
import dev.kiln.model.TailOverlap;
import dev.kiln.workflows.sandbox.StepProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns successive snapshots of a build (its row, its step rows, the running step's heartbeat) into the events a
 * subscriber has not seen yet. A subscriber that joins late first gets the build's history so far.
 *
 * <p>The running step's {@link StepProgress} heartbeat makes {@code progress} events from its elapsed time and output
 * size, and {@code log} events of the output that is new since the previous heartbeat's tails (hosts older than the
 * tails send none, and their steps' output arrives with {@code step-end}).
 */
public final class BuildEventTracker {

    /** One server-sent event: its name and the object whose JSON is its data. */
    public record Event(String name, Object data) {}

    private BuildStatus status;
    /** Step number to the start time of the run already announced: a retried step starts again. */
    private final Map<Integer, Instant> started = new HashMap<>();
    private final Map<Integer, Instant> ended = new HashMap<>();
    private Integer progressStep;
    private StepProgressEvent progress;
    private final Map<String, String> tails = new HashMap<>();
    private boolean finished;

    /** The step running now: started and without a result, while the build is live. */
    public static Optional<Integer> runningStep(BuildRow build, List<BuildStepRow> steps) {
        if (build.status().terminal()) {
            return Optional.empty();
        }
        return steps.stream().filter(step -> step.finishedAt() == null).map(BuildStepRow::step).max(Integer::compare);
    }

    /** True once the terminal status has been emitted: nothing follows it. */
    public boolean finished() {
        return finished;
    }

    /**
     * @param heartbeat the running step's latest heartbeat details, if it has any
     */
    public List<Event> next(BuildRow build, List<BuildStepRow> steps, Optional<StepProgress> heartbeat) {
        if (finished) {
            return List.of();
        }
        List<Event> events = new ArrayList<>();
        boolean terminal = build.status().terminal();
        // A live status leads the steps it describes; the terminal one closes the stream, so it comes last.
        if (!terminal && build.status() != status) {
            status = build.status();
            events.add(new Event("status", BuildStatusEvent.of(build)));
        }
        for (BuildStepRow step : steps) {
            if (!Objects.equals(started.get(step.step()), step.startedAt())) {
                started.put(step.step(), step.startedAt());
                ended.remove(step.step());
                events.add(new Event("step-start", StepView.of(step)));
            }
            if (step.finishedAt() != null && !Objects.equals(ended.get(step.step()), step.startedAt())) {
                ended.put(step.step(), step.startedAt());
                events.add(new Event("step-end", StepView.of(step)));
            }
        }
        Optional<Integer> running = runningStep(build, steps);
        if (running.isPresent() && heartbeat.isPresent()) {
            progressEvents(running.get(), heartbeat.get(), events);
        }
        if (terminal) {
            status = build.status();
            finished = true;
            events.add(new Event("status", BuildStatusEvent.of(build)));
        }
        return events;
    }

    private void progressEvents(int step, StepProgress details, List<Event> events) {
        if (!Objects.equals(progressStep, step)) {
            progressStep = step;
            progress = null;
            tails.clear();
        }
        StepProgressEvent current = new StepProgressEvent(step, details.elapsedMs(), details.outputBytes());
        if (!current.equals(progress)) {
            progress = current;
            events.add(new Event("progress", current));
        }
        logEvent(step, "stdout", details.stdoutTail(), events);
        logEvent(step, "stderr", details.stderrTail(), events);
    }

    private void logEvent(int step, String stream, String tail, List<Event> events) {
        if (tail == null) {
            return;
        }
        String text = TailOverlap.newText(tails.get(stream), tail);
        tails.put(stream, tail);
        if (!text.isEmpty()) {
            events.add(new Event("log", new StepLogEvent(step, stream, text)));
        }
    }
}
