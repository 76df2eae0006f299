package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kiln}: the admin command line of Kiln. Plain java.net.http and Jackson against the REST API; see
 * {@link #USAGE}. Exit status: 0 done, 1 refused or failed (an API error, a failed or cancelled build or session),
 * 2 a wrong command line.
 */
public final class KilnCli {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    static final String USAGE = """
            usage: kiln [--url URL] [--key KEY] <command>

              build submit <recipe-file> [--name N] [--base TEMPLATE] [--healthcheck CMD] [--archive FILE]
                           [--vcpus N] [--memory-mb N] [--skip-pre-post] [--follow]
                                     submit a template build; the file holds one instruction per line
                                     (# comments and blank lines skipped, a trailing \\ continues a line).
                                     Prints the build id, or with --follow streams the build until it ends.
              build follow <id>      stream a build's steps and output until it ends
              build get <id> [--json]
              build list [--status S]
              build cancel <id>
              hosts [--json]         the fleet: status, draining, last heartbeat, load
              golden status <project> [--json]
                                     each host's golden and the write rate of its build
              session start <project> [--host H] [--follow]
                                     start a dev session; --follow shows the golden copy until it runs

            environment: KILN_URL (default http://127.0.0.1:8080), KILN_API_KEY or KILN_ADMIN_KEY
            exit status: 0 done, 1 refused or failed (failed or cancelled build included), 2 usage
            """;

    private static final Set<String> TERMINAL_BUILD = Set.of("success", "failed", "cancelled");
    private static final int MAX_RECONNECTS = 10;
    private static final Duration SESSION_POLL = Duration.ofMillis(500);
    private static final int SESSION_BAR_WIDTH = 20;
    private static final int SPARKLINE_WIDTH = 24;

    private final Map<String, String> environment;
    private final boolean terminal;
    private final int columns;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param environment where KILN_URL and the key are read
     * @param terminal stderr is a terminal: progress is drawn in place
     * @param columns the terminal's width
     */
    public KilnCli(Map<String, String> environment, boolean terminal, int columns, Clock clock) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.terminal = terminal;
        this.columns = columns;
        this.clock = requireNonNull(clock, "clock is null");
    }

    public static void main(String[] args) {
        // The launcher knows whether stderr is a terminal; Java 17 cannot tell for stderr alone.
        String forced = System.getenv().getOrDefault("KILN_PROGRESS", "");
        boolean terminal = switch (forced) {
            case "tty" -> true;
            case "plain" -> false;
            default -> Boolean.getBoolean("kiln.cli.terminal") || System.console() != null;
        };
        int columns = Integer.getInteger("kiln.cli.columns", parseInt(System.getenv("COLUMNS"), 100));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, UTF_8);
        int status = new KilnCli(System.getenv(), terminal, columns, Clock.systemUTC()).run(args, out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command; never calls System.exit, so that tests run it in-process. */
    public int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        String url;
        String key;
        try {
            url = takeOption(rest, "url").orElse(environment.getOrDefault("KILN_URL", DEFAULT_URL));
            key = takeOption(rest, "key").orElse(environment.getOrDefault("KILN_API_KEY",
                    environment.getOrDefault("KILN_ADMIN_KEY", "")));
        } catch (UsageException e) {
            err.println("kiln: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (rest.isEmpty()) {
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (Set.of("help", "--help", "-h").contains(rest.get(0))) {
            out.print(USAGE);
            return EXIT_OK;
        }
        KilnClient client = new KilnClient(url, key, json);
        try {
            return dispatch(client, rest, out, err);
        } catch (UsageException e) {
            err.println("kiln: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        } catch (ApiError e) {
            err.println("kiln: " + (e.status() == 0 ? e.getMessage() : e.status() + " " + e.code() + ": " + e.getMessage()));
            if (e.status() == 401 && key.isEmpty()) {
                err.println("kiln: no API key: set KILN_API_KEY (or KILN_ADMIN_KEY)");
            }
            return EXIT_FAILED;
        }
    }

    private int dispatch(KilnClient client, List<String> args, PrintStream out, PrintStream err) {
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (command) {
            case "build" -> {
                if (rest.isEmpty()) {
                    throw new UsageException("build needs a subcommand: submit, follow, get, list or cancel");
                }
                List<String> arguments = rest.subList(1, rest.size());
                return switch (rest.get(0)) {
                    case "submit" -> buildSubmit(client, arguments, out, err);
                    case "follow" -> buildFollow(client, arguments, out, err);
                    case "get" -> buildGet(client, arguments, out);
                    case "list" -> buildList(client, arguments, out);
                    case "cancel" -> buildCancel(client, arguments, out, err);
                    default -> throw new UsageException("unknown build subcommand " + rest.get(0));
                };
            }
            case "hosts" -> {
                return hosts(client, rest, out);
            }
            case "golden" -> {
                if (rest.isEmpty() || !rest.get(0).equals("status")) {
                    throw new UsageException("golden needs a subcommand: status");
                }
                return goldenStatus(client, rest.subList(1, rest.size()), out);
            }
            case "session" -> {
                if (rest.isEmpty() || !rest.get(0).equals("start")) {
                    throw new UsageException("session needs a subcommand: start");
                }
                return sessionStart(client, rest.subList(1, rest.size()), out, err);
            }
            default -> throw new UsageException("unknown command " + command);
        }
    }

    // ---------------------------------------------------------------- builds

    private int buildSubmit(KilnClient client, List<String> args, PrintStream out, PrintStream err) {
        Arguments arguments = Arguments.parse(args, Set.of("follow", "skip-pre-post"),
                Set.of("name", "base", "healthcheck", "archive", "vcpus", "memory-mb")).atMost(1);
        Path recipeFile = Path.of(arguments.positional(0, "the recipe file"));
        List<String> recipe = RecipeFile.parse(readText(recipeFile));
        if (recipe.isEmpty()) {
            throw new UsageException(recipeFile + " has no instructions");
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", arguments.option("name").orElseGet(() -> defaultName(recipeFile)));
        arguments.option("base").ifPresent(base -> request.put("base_template", base));
        request.put("recipe", recipe);
        arguments.option("healthcheck").ifPresent(healthcheck -> request.put("healthcheck", healthcheck));
        arguments.option("vcpus").ifPresent(vcpus -> request.put("vcpus", positive(vcpus, "--vcpus")));
        arguments.option("memory-mb").ifPresent(memory -> request.put("memory_mb", positive(memory, "--memory-mb")));
        if (arguments.flag("skip-pre-post")) {
            request.put("skip_pre_post", true);
        }
        JsonNode build;
        if (arguments.option("archive").isPresent()) {
            Path archive = Path.of(arguments.option("archive").get());
            if (!Files.isRegularFile(archive)) {
                throw new UsageException("no such archive file: " + archive);
            }
            build = client.postMultipart("/v1/admin/builds", request, archive);
        } else {
            build = client.post("/v1/admin/builds", request);
        }
        String id = build.path("id").asText();
        int total = build.path("total_steps").asInt();
        if (!arguments.flag("follow")) {
            out.println(id);
            err.println("submitted build " + id + " of template " + build.path("name").asText() + " (" + total
                    + " steps); follow it with: kiln build follow " + id);
            return EXIT_OK;
        }
        err.println("submitted build " + id + " of template " + build.path("name").asText() + " (" + total + " steps)");
        return follow(client, id, total, out, err);
    }

    private int buildFollow(KilnClient client, List<String> args, PrintStream out, PrintStream err) {
        String id = Arguments.parse(args, Set.of(), Set.of()).atMost(1).positional(0, "the build id");
        JsonNode build = client.get(buildPath(id));
        return follow(client, id, build.path("total_steps").asInt(), out, err);
    }

    /** Streams the build's events until its terminal status, reconnecting if the stream ends before it. */
    private int follow(KilnClient client, String id, int totalSteps, PrintStream out, PrintStream err) {
        StatusLine status = new StatusLine(err, terminal, columns);
        BuildFollower follower = new BuildFollower(id, totalSteps, json, out, status);
        for (int attempt = 0; ; attempt++) {
            client.events(buildPath(id) + "/events", follower::accept);
            if (follower.terminalStatus().isPresent()) {
                return follower.finish(fetchQuietly(client, buildPath(id)));
            }
            // The server ended the stream early (it is stopping, or a proxy cut it): the build goes on.
            JsonNode build = client.get(buildPath(id));
            if (TERMINAL_BUILD.contains(build.path("status").asText()) || attempt >= MAX_RECONNECTS) {
                return follower.finish(build);
            }
            status.println("event stream of " + id + " ended early; reconnecting");
            sleep(Duration.ofSeconds(Math.min(5, attempt + 1)));
            follower.reconnected();
        }
    }

    private int buildGet(KilnClient client, List<String> args, PrintStream out) {
        Arguments arguments = Arguments.parse(args, Set.of("json"), Set.of()).atMost(1);
        JsonNode build = client.get(buildPath(arguments.positional(0, "the build id")));
        if (arguments.flag("json")) {
            out.println(build.toPrettyString());
            return EXIT_OK;
        }
        out.println("build " + build.path("id").asText() + "  " + build.path("name").asText() + "  "
                + build.path("status").asText() + "  step " + build.path("current_step").asInt() + "/"
                + build.path("total_steps").asInt());
        out.println("  base " + text(build, "base_template") + ", host " + text(build, "host_id") + ", template "
                + text(build, "template_id"));
        out.println("  created " + text(build, "created_at") + ", started " + text(build, "started_at")
                + ", completed " + text(build, "completed_at") + elapsed(build));
        if (build.has("error")) {
            JsonNode error = build.path("error");
            out.println("  error" + (error.path("step").isInt() ? " at step " + error.path("step").asInt() : "") + ": "
                    + error.path("message").asText());
        }
        if (build.has("cancelled_by")) {
            out.println("  cancelled by " + build.path("cancelled_by").asText());
        }
        if (build.path("steps").isEmpty()) {
            return EXIT_OK;
        }
        TextTable steps = new TextTable("STEP", "RESULT", "TIME", "COMMAND");
        for (JsonNode step : build.path("steps")) {
            String result = !step.has("ok") ? "running"
                    : step.path("ok").asBoolean() ? "ok" : "exit " + step.path("exit_code").asText("?");
            steps.row(step.path("step").asText(), result,
                    step.has("elapsed_ms") ? Units.duration(Duration.ofMillis(step.path("elapsed_ms").asLong())) : "-",
                    step.path("command").asText() + ("recipe".equals(step.path("phase").asText("recipe")) ? ""
                            : " [" + step.path("phase").asText() + "]"));
        }
        out.println();
        out.print(steps.render());
        return EXIT_OK;
    }

    private int buildList(KilnClient client, List<String> args, PrintStream out) {
        Arguments arguments = Arguments.parse(args, Set.of("json"), Set.of("status")).atMost(0);
        JsonNode builds = client.get("/v1/admin/builds"
                + arguments.option("status").map(status -> "?status=" + KilnClient.segment(status)).orElse(""));
        if (arguments.flag("json")) {
            out.println(builds.toPrettyString());
            return EXIT_OK;
        }
        TextTable table = new TextTable("ID", "NAME", "STATUS", "STEP", "CREATED");
        for (JsonNode build : builds) {
            table.row(build.path("id").asText(), build.path("name").asText(), build.path("status").asText(),
                    build.path("current_step").asInt() + "/" + build.path("total_steps").asInt(),
                    ago(build.path("created_at")));
        }
        out.print(table.render());
        return EXIT_OK;
    }

    private int buildCancel(KilnClient client, List<String> args, PrintStream out, PrintStream err) {
        String id = Arguments.parse(args, Set.of(), Set.of()).atMost(1).positional(0, "the build id");
        JsonNode build = client.post(buildPath(id) + "/cancel", null);
        out.println(id);
        err.println("cancel of build " + id + " requested (it is " + build.path("status").asText()
                + "; it ends as cancelled once its running step is stopped)");
        return EXIT_OK;
    }

    // ---------------------------------------------------------------- hosts

    private int hosts(KilnClient client, List<String> args, PrintStream out) {
        Arguments arguments = Arguments.parse(args, Set.of("json"), Set.of()).atMost(0);
        JsonNode hosts = client.get("/v1/hosts");
        if (arguments.flag("json")) {
            out.println(hosts.toPrettyString());
            return EXIT_OK;
        }
        TextTable table = new TextTable("ID", "STATUS", "DRAINING", "LAST HEARTBEAT", "LOAD");
        for (JsonNode host : hosts) {
            table.row(host.path("id").asText(), host.path("status").asText(), host.path("draining").asBoolean() ? "yes" : "no",
                    ago(host.path("last_heartbeat_at")), describeLoad(host));
        }
        out.print(table.render());
        return EXIT_OK;
    }

    /** {@code cpu 3.2%, mem 1204/7937 MB, disk 40/100 GB, 2 sandboxes}, with any other figure as name=value. */
    static String describeLoad(JsonNode host) {
        JsonNode load = host.path("load");
        if (!load.isObject() || load.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        Set<String> known = Set.of("cpu_pct", "memory_used_mb", "disk_used_gb", "running_sandboxes");
        if (load.has("cpu_pct")) {
            parts.add(String.format(Locale.ROOT, "cpu %.1f%%", load.path("cpu_pct").asDouble()));
        }
        if (load.has("memory_used_mb")) {
            parts.add("mem " + load.path("memory_used_mb").asLong()
                    + (host.has("memory_mb") ? "/" + host.path("memory_mb").asLong() : "") + " MB");
        }
        if (load.has("disk_used_gb")) {
            parts.add("disk " + load.path("disk_used_gb").asLong()
                    + (host.has("disk_gb") ? "/" + host.path("disk_gb").asLong() : "") + " GB");
        }
        if (load.has("running_sandboxes")) {
            long sandboxes = load.path("running_sandboxes").asLong();
            parts.add(sandboxes + (sandboxes == 1 ? " sandbox" : " sandboxes"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = load.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!known.contains(field.getKey())) {
                parts.add(field.getKey() + "=" + (field.getValue().isValueNode() ? field.getValue().asText() : field.getValue()));
            }
        }
        return String.join(", ", parts);
    }

    // ---------------------------------------------------------------- golden caches

    private int goldenStatus(KilnClient client, List<String> args, PrintStream out) {
        Arguments arguments = Arguments.parse(args, Set.of("json"), Set.of()).atMost(1);
        String project = arguments.positional(0, "the project id");
        String projectPath = "/v1/projects/" + KilnClient.segment(project);
        JsonNode golden = client.get(projectPath + "/golden");
        if (arguments.flag("json")) {
            out.println(golden.toPrettyString());
            return EXIT_OK;
        }
        out.println("project " + project + ": golden " + golden.path("status").asText());
        if (golden.path("hosts").isEmpty()) {
            out.println("no host has built it yet: POST " + projectPath + "/golden/build");
            return EXIT_OK;
        }
        TextTable table = new TextTable("HOST", "STATUS", "GENERATION", "SIZE", "LAST READY", "BUILD", "WRITE RATE");
        for (Iterator<Map.Entry<String, JsonNode>> hosts = golden.path("hosts").fields(); hosts.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = hosts.next();
            JsonNode host = entry.getValue();
            String buildId = host.path("build_id").asText("");
            String writes = buildId.isEmpty() ? "-" : writeRate(client, projectPath, buildId, host.path("status").asText());
            table.row(entry.getKey(), host.path("status").asText(), host.path("generation").asText("0"),
                    Units.bytes(host.path("size_bytes").asLong()), ago(host.path("last_ready_at")),
                    buildId.isEmpty() ? "-" : buildId, writes);
            if (host.hasNonNull("error") && !host.path("error").asText().isEmpty()) {
                table.row("", "", "", "", "", "", "error: " + host.path("error").asText());
            }
        }
        out.print(table.render());
        return EXIT_OK;
    }

    /** A sparkline of the build's write rate and its current value; what went wrong instead, if it cannot be read. */
    private String writeRate(KilnClient client, String projectPath, String buildId, String hostStatus) {
        JsonNode io;
        try {
            io = client.get(projectPath + "/golden/builds/" + KilnClient.segment(buildId) + "/io");
        } catch (ApiError e) {
            return "(" + e.code() + ")";
        }
        List<Long> times = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        for (JsonNode sample : io.path("samples")) {
            Instant t = instant(sample.path("t"));
            if (t != null) {
                times.add(t.toEpochMilli());
                written.add(sample.path("write_bytes").asLong());
            }
        }
        String line = Sparkline.ofLast(Sparkline.rates(times, written), SPARKLINE_WIDTH);
        if (line.isEmpty()) {
            return "no samples";
        }
        boolean live = "building".equals(hostStatus) || "building".equals(io.path("status").asText());
        return line + (live ? " " + Units.rate(io.path("write_rate_mbps").asDouble() * 1e6) : " (" + io.path("status").asText() + ")");
    }

    // ---------------------------------------------------------------- sessions

    private int sessionStart(KilnClient client, List<String> args, PrintStream out, PrintStream err) {
        Arguments arguments = Arguments.parse(args, Set.of("follow"), Set.of("host")).atMost(1);
        String project = arguments.positional(0, "the project id");
        Map<String, Object> request = new LinkedHashMap<>();
        arguments.option("host").ifPresent(host -> request.put("host_id", host));
        JsonNode session = client.post("/v1/projects/" + KilnClient.segment(project) + "/sessions", request);
        String id = session.path("id").asText();
        out.println(id);
        err.println("session " + id + " of " + project + " is starting on " + session.path("host_id").asText());
        if (!arguments.flag("follow")) {
            return EXIT_OK;
        }
        StatusLine status = new StatusLine(err, terminal, columns);
        int lastDecile = -1;
        while (true) {
            String state = session.path("status").asText();
            switch (state) {
                case "running" -> {
                    status.finish();
                    err.println("session " + id + " is running on " + session.path("host_id").asText()
                            + (session.hasNonNull("generation") ? " from golden generation " + session.path("generation").asLong()
                                    : " (cold: no golden)")
                            + (session.hasNonNull("docker_host") ? "\n  DOCKER_HOST=" + session.path("docker_host").asText() : ""));
                    return EXIT_OK;
                }
                case "failed", "stopped" -> {
                    status.finish();
                    err.println("session " + id + " " + state
                            + (session.hasNonNull("error") ? ": " + session.path("error").asText() : ""));
                    return EXIT_FAILED;
                }
                default -> {
                    long copied = session.path("copied_bytes").asLong();
                    long total = session.path("total_bytes").asLong();
                    int percent = ProgressBar.percent(copied, total);
                    String message = session.path("status_message").asText("");
                    String line = ProgressBar.render(copied, total, SESSION_BAR_WIDTH) + " "
                            + (total > 0 ? percent + "% " : "") + (message.isEmpty() ? state : message);
                    // Off a terminal, one line per tenth of the copy is enough to see it move.
                    int decile = total > 0 ? percent / 10 : -1;
                    status.update(line, decile != lastDecile || lastDecile == -1);
                    lastDecile = Math.max(decile, 0);
                }
            }
            sleep(SESSION_POLL);
            session = client.get("/v1/sessions/" + KilnClient.segment(id));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String buildPath(String id) {
        return "/v1/admin/builds/" + KilnClient.segment(id);
    }

    private static JsonNode fetchQuietly(KilnClient client, String path) {
        try {
            return client.get(path);
        } catch (ApiError e) {
            return null;
        }
    }

    /** The recipe file's name without its extension, made into a valid template name. */
    static String defaultName(Path recipeFile) {
        String file = recipeFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[^a-zA-Z0-9._-]", "-");
        stem = stem.replaceAll("^[^a-zA-Z0-9]+", "");
        if (stem.isEmpty()) {
            throw new UsageException("cannot make a template name from " + file + ": give --name");
        }
        return stem.length() > 64 ? stem.substring(0, 64) : stem;
    }

    private static int positive(String value, String option) {
        int parsed = parseInt(value, -1);
        if (parsed < 1) {
            throw new UsageException(option + " must be a positive number: " + value);
        }
        return parsed;
    }

    private static int parseInt(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private String ago(JsonNode timestamp) {
        Instant then = instant(timestamp);
        return then == null ? "-" : Units.ago(Duration.between(then, clock.instant()));
    }

    private static Instant instant(JsonNode timestamp) {
        if (timestamp == null || !timestamp.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(timestamp.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String elapsed(JsonNode build) {
        Instant started = instant(build.path("started_at"));
        Instant completed = instant(build.path("completed_at"));
        return started != null && completed != null ? " (" + Units.duration(Duration.between(started, completed)) + ")" : "";
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.path(field).asText() : "-";
    }

    /** Removes {@code --name value} or {@code --name=value} from the arguments, wherever it is. */
    private static Optional<String> takeOption(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                break;
            }
            if (arg.equals("--" + name)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                String value = args.get(i + 1);
                args.subList(i, i + 2).clear();
                return Optional.of(value);
            }
            if (arg.startsWith("--" + name + "=")) {
                args.remove(i);
                return Optional.of(arg.substring(name.length() + 3));
            }
        }
        return Optional.empty();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", "interrupted");
        }
    }
}
