package dev.kiln.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.wire.BuildErrorView;
import dev.kiln.cli.wire.BuildStatusEvent;
import dev.kiln.cli.wire.BuildView;
import dev.kiln.cli.wire.Statuses;
import dev.kiln.cli.wire.StepLogEvent;
import dev.kiln.cli.wire.StepProgressEvent;
import dev.kiln.cli.wire.StepView;
import dev.kiln.model.BuildStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a build's server-sent events into what a person follows: a live progress line on stderr
 * ({@code [#####-----] step 5/12 RUN npm ci}), each step's output on stdout, a line per finished step, and at the
 * end a verdict naming the failing step, its command and the tail of its stderr.
 *
 * <p>Replays are expected: the stream starts with the build's history and starts over on reconnect, so a step end
 * already reported is not reported again, and output already printed is not printed twice.
 */
public final class BuildFollower {
    public static final int BAR_WIDTH = 10;
    private static final int STDERR_TAIL_LINES = 20;
    private static final String STDOUT = "stdout";
    private static final String STDERR = "stderr";

    private final String buildId;
    private final ObjectMapper json;
    private final PrintStream out;
    private final StatusLine status;

    private int totalSteps;
    private int completedSteps;
    private String buildStatus = BuildStatus.PENDING.wire();
    private int runningStep;
    private String runningCommand = "";
    private final Map<Integer, String> commands = new HashMap<>();
    /** Per step and stream, the output received so far: only its end matters for what is new. */
    private final Map<String, String> received = new HashMap<>();
    /** Per step and stream, a last line received without its newline yet: printed once complete or at step end. */
    private final Map<String, String> partial = new HashMap<>();
    /** Streams whose next log event, the first after a reconnect, is a whole tail rather than what is new. */
    private final Set<String> expectingTail = new HashSet<>();
    private boolean reconnected;
    private final Map<Integer, StepView> endedSteps = new HashMap<>();
    /** Step ends already reported; a replayed one is equal to its first showing, field for field. */
    private final Set<StepView> reportedEnds = new HashSet<>();
    private BuildStatusEvent terminal;

    /** @param json the client's mapper ({@code WireJson.mapper()}), to read each event's data */
    public BuildFollower(String buildId, int totalSteps, ObjectMapper json, PrintStream out, StatusLine status) {
        this.buildId = requireNonNull(buildId, "buildId is null");
        this.totalSteps = totalSteps;
        this.json = requireNonNull(json, "json is null");
        this.out = requireNonNull(out, "out is null");
        this.status = requireNonNull(status, "status is null");
    }

    /** Handles one event; false once the terminal status has arrived, after which nothing more is expected. */
    public boolean accept(SseEvent event) {
        try {
            switch (event.name()) {
                case "status" -> onStatus(read(event, BuildStatusEvent.class));
                case "step-start" -> onStepStart(read(event, StepView.class));
                case "step-end" -> onStepEnd(read(event, StepView.class));
                case "progress" -> onProgress(read(event, StepProgressEvent.class));
                case "log" -> onLog(read(event, StepLogEvent.class));
                default -> {
                    // Events added to the API later are not this client's business.
                }
            }
        } catch (JsonProcessingException e) {
            // One unreadable event is skipped; the step-end and the build's own record fill in what it carried.
        }
        return terminal == null;
    }

    private <T> T read(SseEvent event, Class<T> type) throws JsonProcessingException {
        return json.readValue(event.data(), type);
    }

    public Optional<String> terminalStatus() {
        return terminal == null ? Optional.empty() : Optional.ofNullable(terminal.status());
    }

    /**
     * Prints the verdict and returns the exit status: 0 for success, 1 for failed or cancelled.
     *
     * @param build the build as {@code GET /v1/admin/builds/{id}} returns it, to fill in what the stream did not
     *     show (a step's stderr when the stream joined late); may be null
     */
    public int finish(BuildView build) {
        status.finish();
        BuildStatusEvent end = terminal != null ? terminal : build == null ? null : build.statusEvent();
        String outcome = end == null || end.status() == null ? "unknown" : end.status();
        return switch (Statuses.build(outcome).orElse(BuildStatus.RUNNING)) {
            case SUCCESS -> {
                status.println("build " + buildId + " succeeded: template " + orElse(end.templateId(), "?")
                        + " (" + totalSteps + " steps)");
                yield 0;
            }
            case CANCELLED -> {
                String by = orElse(end.cancelledBy(), "");
                int step = interruptedStep(build);
                status.println("build " + buildId + " cancelled" + (by.isEmpty() ? "" : " by " + by)
                        + (step > 0 ? " at step " + step + "/" + totalSteps + ": " + command(step, build) : ""));
                yield 1;
            }
            case FAILED -> {
                reportFailure(end.error(), build);
                yield 1;
            }
            case PENDING, RUNNING -> {
                status.println("build " + buildId + " is " + outcome + "; the event stream ended before it did");
                yield 1;
            }
        };
    }

    private void reportFailure(BuildErrorView error, BuildView build) {
        String message = error == null || error.message() == null ? "no error message" : error.message();
        if (error == null || error.step() == null) {
            // Not a step's fault: the healthcheck, a lost host, the deadline.
            status.println("build " + buildId + " failed: " + message);
            return;
        }
        int step = error.step();
        StepView result = endedSteps.getOrDefault(step, stepOf(build, step));
        StringBuilder report = new StringBuilder()
                .append("build ").append(buildId).append(" failed at step ").append(step).append('/').append(totalSteps)
                .append(": ").append(command(step, build));
        if (result != null && result.exitCode() != null) {
            report.append("\n  exit code ").append(result.exitCode());
        }
        report.append("\n  ").append(message);
        String stderr = result == null ? "" : StepOutput.lastLines(result.stderr(), STDERR_TAIL_LINES);
        if (!stderr.isEmpty()) {
            report.append("\n  stderr (last lines):");
            stderr.lines().forEach(line -> report.append("\n    ").append(line));
        }
        status.println(report.toString());
    }

    private void onStatus(BuildStatusEvent data) {
        buildStatus = orElse(data.status(), buildStatus);
        totalSteps = Math.max(totalSteps, data.totalSteps());
        if (Statuses.buildTerminal(buildStatus)) {
            terminal = data;
            return;
        }
        if (runningStep == 0) {
            status.update(ProgressBar.render(completedSteps, totalSteps, BAR_WIDTH) + " " + buildStatus
                    + (Statuses.build(buildStatus).orElse(null) == BuildStatus.PENDING ? ": waiting for a host" : ""), true);
        }
    }

    private void onStepStart(StepView data) {
        int step = data.step();
        commands.put(step, orElse(data.command(), ""));
        runningStep = step;
        runningCommand = data.label();
        if (reconnected) {
            expectingTail.add(step + "/" + STDOUT);
            expectingTail.add(step + "/" + STDERR);
        }
        status.update(live(""), true);
    }

    private void onProgress(StepProgressEvent data) {
        if (data.step() != runningStep) {
            return;
        }
        String detail = " (" + Units.duration(Duration.ofMillis(data.elapsedMs())) + ", "
                + Units.bytes(data.outputBytes()) + " output)";
        status.update(live(detail), false);
    }

    private void onLog(StepLogEvent data) {
        String key = data.step() + "/" + orElse(data.stream(), STDOUT);
        String text = orElse(data.text(), "");
        if (expectingTail.remove(key)) {
            text = StepOutput.unseen(received.get(key), text);
        }
        if (text.isEmpty()) {
            return;
        }
        received.merge(key, text, String::concat);
        // Whole lines only: a half line followed by the redrawn status line would be garbled on a terminal.
        String buffered = partial.getOrDefault(key, "") + text;
        int end = buffered.lastIndexOf('\n') + 1;
        partial.put(key, buffered.substring(end));
        print(buffered.substring(0, end));
    }

    /**
     * Says that the stream was opened again: the server replays the history, and the first log event of a running
     * step is then its whole tail, of which only the unseen part is printed.
     */
    public void reconnected() {
        reconnected = true;
        if (runningStep > 0) {
            expectingTail.add(runningStep + "/" + STDOUT);
            expectingTail.add(runningStep + "/" + STDERR);
        }
    }

    private void onStepEnd(StepView data) {
        int step = data.step();
        commands.putIfAbsent(step, orElse(data.command(), ""));
        if (!reportedEnds.add(data)) {
            return;
        }
        endedSteps.put(step, data);
        flushRest(step + "/" + STDOUT, data.stdout());
        flushRest(step + "/" + STDERR, data.stderr());
        if (data.succeeded()) {
            completedSteps = Math.max(completedSteps, step);
        }
        String elapsed = Units.duration(Duration.ofMillis(data.elapsedMs() == null ? 0 : data.elapsedMs()));
        String verdict = data.cached() ? "cached"
                : (data.succeeded() ? "ok" : "FAILED" + (data.exitCode() != null ? " (exit " + data.exitCode() + ")" : ""))
                        + " in " + elapsed;
        status.println("step " + step + "/" + totalSteps + " " + verdict + ": " + data.label());
        if (step == runningStep) {
            status.update(live(""), false);
        }
    }

    /** Prints what the step's final tail of one stream adds to what its log events showed, ending the last line. */
    private void flushRest(String key, String tail) {
        String rest = StepOutput.unseen(received.get(key), orElse(tail, ""));
        received.merge(key, rest, String::concat);
        String remaining = partial.getOrDefault(key, "") + rest;
        partial.remove(key);
        expectingTail.remove(key);
        print(remaining.isEmpty() || remaining.endsWith("\n") ? remaining : remaining + "\n");
    }

    private void print(String text) {
        if (text.isEmpty()) {
            return;
        }
        status.around(() -> {
            out.print(text);
            out.flush();
        });
    }

    private String live(String detail) {
        return ProgressBar.render(completedSteps, totalSteps, BAR_WIDTH) + " step " + runningStep + "/" + totalSteps
                + " " + runningCommand + detail;
    }

    /**
     * The step that was running when the build stopped: the one seen starting and not ending, else one the build
     * lists without a result; 0 if none. (The build's {@code current_step} may already name a later step.)
     */
    private int interruptedStep(BuildView build) {
        if (runningStep > 0 && !endedSteps.containsKey(runningStep)) {
            return runningStep;
        }
        if (build != null) {
            for (StepView step : build.steps()) {
                if (!step.ended()) {
                    return step.step();
                }
            }
        }
        return 0;
    }

    private String command(int step, BuildView build) {
        String known = commands.get(step);
        if (known != null) {
            return known;
        }
        StepView fromBuild = stepOf(build, step);
        return fromBuild == null ? "(unknown step)" : orElse(fromBuild.command(), "");
    }

    private static StepView stepOf(BuildView build, int step) {
        if (build == null) {
            return null;
        }
        for (StepView candidate : build.steps()) {
            if (candidate.step() == step) {
                return candidate;
            }
        }
        return null;
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
