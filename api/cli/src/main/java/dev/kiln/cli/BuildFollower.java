package dev.kiln.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");

    private final String buildId;
    private final ObjectMapper json;
    private final PrintStream out;
    private final StatusLine status;

    private int totalSteps;
    private int completedSteps;
    private String buildStatus = "pending";
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
    private final Map<Integer, JsonNode> endedSteps = new HashMap<>();
    private final Set<String> reportedEnds = new HashSet<>();
    private JsonNode terminal;

    public BuildFollower(String buildId, int totalSteps, ObjectMapper json, PrintStream out, StatusLine status) {
        this.buildId = requireNonNull(buildId, "buildId is null");
        this.totalSteps = totalSteps;
        this.json = requireNonNull(json, "json is null");
        this.out = requireNonNull(out, "out is null");
        this.status = requireNonNull(status, "status is null");
    }

    /** Handles one event; false once the terminal status has arrived, after which nothing more is expected. */
    public boolean accept(SseEvent event) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (JsonProcessingException e) {
            return terminal == null;
        }
        switch (event.name()) {
            case "status" -> onStatus(data);
            case "step-start" -> onStepStart(data);
            case "step-end" -> onStepEnd(data);
            case "progress" -> onProgress(data);
            case "log" -> onLog(data);
            default -> {
                // Events added to the API later are not this client's business.
            }
        }
        return terminal == null;
    }

    public Optional<String> terminalStatus() {
        return terminal == null ? Optional.empty() : Optional.of(terminal.path("status").asText());
    }

    /**
     * Prints the verdict and returns the exit status: 0 for success, 1 for failed or cancelled.
     *
     * @param build the build as {@code GET /v1/admin/builds/{id}} returns it, to fill in what the stream did not
     *     show (a step's stderr when the stream joined late); may be null
     */
    public int finish(JsonNode build) {
        status.finish();
        JsonNode end = terminal != null ? terminal : build;
        String outcome = end == null ? "unknown" : end.path("status").asText("unknown");
        switch (outcome) {
            case "success" -> {
                status.println("build " + buildId + " succeeded: template " + end.path("template_id").asText("?")
                        + " (" + totalSteps + " steps)");
                return 0;
            }
            case "cancelled" -> {
                String by = end.path("cancelled_by").asText("");
                int step = interruptedStep(build);
                status.println("build " + buildId + " cancelled" + (by.isEmpty() ? "" : " by " + by)
                        + (step > 0 ? " at step " + step + "/" + totalSteps + ": " + command(step, build) : ""));
                return 1;
            }
            case "failed" -> {
                reportFailure(end, build);
                return 1;
            }
            default -> {
                status.println("build " + buildId + " is " + outcome + "; the event stream ended before it did");
                return 1;
            }
        }
    }

    private void reportFailure(JsonNode end, JsonNode build) {
        JsonNode error = end.path("error");
        String message = error.path("message").asText("no error message");
        if (!error.path("step").isInt()) {
            // Not a step's fault: the healthcheck, a lost host, the deadline.
            status.println("build " + buildId + " failed: " + message);
            return;
        }
        int step = error.path("step").asInt();
        JsonNode result = endedSteps.getOrDefault(step, stepOf(build, step));
        StringBuilder report = new StringBuilder()
                .append("build ").append(buildId).append(" failed at step ").append(step).append('/').append(totalSteps)
                .append(": ").append(command(step, build));
        if (result != null && result.path("exit_code").isInt()) {
            report.append("\n  exit code ").append(result.path("exit_code").asInt());
        }
        report.append("\n  ").append(message);
        String stderr = result == null ? "" : StepOutput.lastLines(result.path("stderr").asText(""), STDERR_TAIL_LINES);
        if (!stderr.isEmpty()) {
            report.append("\n  stderr (last lines):");
            stderr.lines().forEach(line -> report.append("\n    ").append(line));
        }
        status.println(report.toString());
    }

    private void onStatus(JsonNode data) {
        buildStatus = data.path("status").asText(buildStatus);
        totalSteps = Math.max(totalSteps, data.path("total_steps").asInt(0));
        if (TERMINAL.contains(buildStatus)) {
            terminal = data;
            return;
        }
        if (runningStep == 0) {
            status.update(ProgressBar.render(completedSteps, totalSteps, BAR_WIDTH) + " " + buildStatus
                    + ("pending".equals(buildStatus) ? ": waiting for a host" : ""), true);
        }
    }

    private void onStepStart(JsonNode data) {
        int step = data.path("step").asInt();
        String command = data.path("command").asText("");
        commands.put(step, command);
        runningStep = step;
        runningCommand = phased(data, command);
        if (reconnected) {
            expectingTail.add(step + "/stdout");
            expectingTail.add(step + "/stderr");
        }
        status.update(live(""), true);
    }

    private void onProgress(JsonNode data) {
        if (data.path("step").asInt() != runningStep) {
            return;
        }
        String detail = " (" + Units.duration(Duration.ofMillis(data.path("elapsed_ms").asLong())) + ", "
                + Units.bytes(data.path("output_bytes").asLong()) + " output)";
        status.update(live(detail), false);
    }

    private void onLog(JsonNode data) {
        int step = data.path("step").asInt();
        String stream = data.path("stream").asText("stdout");
        String text = data.path("text").asText("");
        String key = step + "/" + stream;
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
            expectingTail.add(runningStep + "/stdout");
            expectingTail.add(runningStep + "/stderr");
        }
    }

    private void onStepEnd(JsonNode data) {
        int step = data.path("step").asInt();
        commands.putIfAbsent(step, data.path("command").asText(""));
        String identity = step + "|" + data.path("elapsed_ms").asText() + "|" + data.path("exit_code").asText() + "|"
                + data.path("stdout").asText("").hashCode() + "|" + data.path("stderr").asText("").hashCode();
        if (!reportedEnds.add(identity)) {
            return;
        }
        endedSteps.put(step, data);
        for (String stream : new String[] {"stdout", "stderr"}) {
            String key = step + "/" + stream;
            String rest = StepOutput.unseen(received.get(key), data.path(stream).asText(""));
            received.merge(key, rest, String::concat);
            String remaining = partial.getOrDefault(key, "") + rest;
            partial.remove(key);
            expectingTail.remove(key);
            print(remaining.isEmpty() || remaining.endsWith("\n") ? remaining : remaining + "\n");
        }
        boolean ok = data.path("ok").asBoolean(false);
        if (ok) {
            completedSteps = Math.max(completedSteps, step);
        }
        String elapsed = Units.duration(Duration.ofMillis(data.path("elapsed_ms").asLong()));
        String verdict = ok ? "ok" : "FAILED" + (data.path("exit_code").isInt() ? " (exit " + data.path("exit_code").asInt() + ")" : "");
        status.println("step " + step + "/" + totalSteps + " " + verdict + " in " + elapsed + ": " + phased(data,
                data.path("command").asText("")));
        if (step == runningStep) {
            status.update(live(""), false);
        }
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
     * lists without a result; 0 if none. ({@code current_step} counts finished steps, so it cannot say.)
     */
    private int interruptedStep(JsonNode build) {
        if (runningStep > 0 && !endedSteps.containsKey(runningStep)) {
            return runningStep;
        }
        if (build != null) {
            for (JsonNode step : build.path("steps")) {
                if (!step.has("ok")) {
                    return step.path("step").asInt();
                }
            }
        }
        return 0;
    }

    private String command(int step, JsonNode build) {
        String known = commands.get(step);
        if (known != null) {
            return known;
        }
        JsonNode fromBuild = stepOf(build, step);
        return fromBuild == null ? "(unknown step)" : fromBuild.path("command").asText();
    }

    private static JsonNode stepOf(JsonNode build, int step) {
        if (build == null) {
            return null;
        }
        for (JsonNode candidate : build.path("steps")) {
            if (candidate.path("step").asInt() == step) {
                return candidate;
            }
        }
        return null;
    }

    /** Pre- and post-build steps say so; recipe steps are what the user wrote. */
    private static String phased(JsonNode step, String command) {
        String phase = step.path("phase").asText("recipe");
        return "recipe".equals(phase) ? command : command + " [" + phase + "]";
    }
}
