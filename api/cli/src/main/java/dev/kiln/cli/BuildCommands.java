package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.wire.BuildRequest;
import dev.kiln.cli.wire.BuildView;
import dev.kiln.cli.wire.Statuses;
import dev.kiln.cli.wire.StepView;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln build ...}: template builds. */
@Command(name = "build", description = "Template builds: submit, follow, show, list and cancel them.")
final class BuildCommands {
    private static final String BUILDS = "/v1/admin/builds";
    private static final int MAX_RECONNECTS = 10;

    @ParentCommand
    private KilnCommand kiln;

    @Command(name = "submit", description = {
        "Submit a template build from a recipe file.",
        "Prints the build id, or with --follow streams the build until it ends. The recipe file holds one"
                + " instruction per line (RUN, ENV, WORKDIR, USER, COPY, START); blank lines and # comments are"
                + " skipped, and a trailing \\ continues a line."})
    int submit(
            @Parameters(paramLabel = "<recipe-file>", description = "the recipe file") Path recipeFile,
            @Option(names = "--name", paramLabel = "NAME",
                    description = "the template the build makes (default: the recipe file's name)") String name,
            @Option(names = "--base", paramLabel = "TEMPLATE",
                    description = "the template to build on: name, name:tag or name@v3") String base,
            @Option(names = "--healthcheck", paramLabel = "CMD",
                    description = "a command that must succeed in the started template before it is kept") String healthcheck,
            @Option(names = "--archive", paramLabel = "FILE",
                    description = "a tar, tar.gz or zip that COPY instructions read from") Path archive,
            @Option(names = "--vcpus", paramLabel = "N", description = "vCPUs of the build") Integer vcpus,
            @Option(names = "--memory-mb", paramLabel = "N", description = "memory of the build, in MB") Integer memoryMb,
            @Option(names = "--skip-pre-post", description = "run the recipe alone, without the pre- and post-build steps")
                    boolean skipPrePost,
            @Option(names = "--no-cache",
                    description = "run every step, even those the host's step cache holds from an earlier build")
                    boolean noCache,
            @Option(names = "--follow", description = "stream the build's steps and output; exit 1 unless it succeeds")
                    boolean follow) {
        List<String> recipe = RecipeFile.parse(readRecipe(recipeFile));
        if (recipe.isEmpty()) {
            throw kiln.usageError(recipeFile + " has no instructions");
        }
        String template = name != null ? name : RecipeFile.templateName(recipeFile).orElseThrow(() -> kiln.usageError(
                "cannot make a template name from " + recipeFile.getFileName() + ": give --name"));
        requirePositive(vcpus, "--vcpus");
        requirePositive(memoryMb, "--memory-mb");
        BuildRequest request = new BuildRequest(template, base, recipe, healthcheck, vcpus, memoryMb,
                skipPrePost ? Boolean.TRUE : null, noCache ? Boolean.TRUE : null);
        BuildView build;
        if (archive == null) {
            build = kiln.client().post(BUILDS, request, BuildView.class);
        } else if (Files.isRegularFile(archive)) {
            build = kiln.client().postMultipart(BUILDS, request, archive, BuildView.class);
        } else {
            throw kiln.usageError("no such archive file: " + archive);
        }
        String submitted = "submitted build " + build.id() + " of template " + build.name() + " (" + build.totalSteps()
                + " steps)";
        if (!follow) {
            kiln.out().println(build.id());
            kiln.err().println(submitted + "; follow it with: kiln build follow " + build.id());
            return KilnCli.EXIT_OK;
        }
        kiln.err().println(submitted);
        return follow(build.id(), build.totalSteps());
    }

    @Command(name = "follow", description = {
        "Stream a build's steps and output until it ends.", "Exits 1 unless the build succeeds."})
    int follow(@Parameters(paramLabel = "<id>", description = "the build id") String id) {
        return follow(id, kiln.client().get(buildPath(id), BuildView.class).totalSteps());
    }

    /** Streams the build's events until its terminal status, reconnecting if the stream ends before it. */
    private int follow(String id, int totalSteps) {
        StatusLine status = kiln.statusLine();
        BuildFollower follower = new BuildFollower(id, totalSteps, kiln.json(), kiln.out(), status);
        for (int attempt = 0; ; attempt++) {
            kiln.client().events(buildPath(id) + "/events", follower::accept);
            if (follower.terminalStatus().isPresent()) {
                return follower.finish(fetchQuietly(id));
            }
            // The server ended the stream early (it is stopping, or a proxy cut it): the build goes on.
            BuildView build = kiln.client().get(buildPath(id), BuildView.class);
            if (Statuses.buildTerminal(build.status()) || attempt >= MAX_RECONNECTS) {
                return follower.finish(build);
            }
            status.println("event stream of " + id + " ended early; reconnecting");
            KilnClient.pause(Duration.ofSeconds(Math.min(5, attempt + 1)));
            follower.reconnected();
        }
    }

    @Command(name = "get", description = "Show a build: its status, times and steps.")
    int get(@Parameters(paramLabel = "<id>", description = "the build id") String id,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        if (json) {
            kiln.out().println(kiln.client().get(buildPath(id), JsonNode.class).toPrettyString());
            return KilnCli.EXIT_OK;
        }
        BuildView build = kiln.client().get(buildPath(id), BuildView.class);
        PrintStream out = kiln.out();
        out.println("build " + build.id() + "  " + build.name() + "  " + build.status() + "  step "
                + build.currentStep() + "/" + build.totalSteps());
        out.println("  base " + orDash(build.baseTemplate()) + ", host " + orDash(build.hostId()) + ", template "
                + orDash(build.templateId()));
        out.println("  created " + orDash(build.createdAt()) + ", started " + orDash(build.startedAt())
                + ", completed " + orDash(build.completedAt()) + Timestamps.elapsed(build.startedAt(), build.completedAt()));
        if (build.error() != null) {
            out.println("  error" + (build.error().step() != null ? " at step " + build.error().step() : "") + ": "
                    + build.error().message());
        }
        if (build.cancelledBy() != null) {
            out.println("  cancelled by " + build.cancelledBy());
        }
        if (build.steps().isEmpty()) {
            return KilnCli.EXIT_OK;
        }
        TextTable steps = new TextTable("STEP", "RESULT", "TIME", "COMMAND");
        for (StepView step : build.steps()) {
            String result = !step.ended() ? "running"
                    : step.cached() ? "cached"
                    : step.succeeded() ? "ok" : "exit " + (step.exitCode() == null ? "?" : step.exitCode());
            steps.row(String.valueOf(step.step()), result,
                    step.elapsedMs() == null ? "-" : Units.duration(Duration.ofMillis(step.elapsedMs())), step.label());
        }
        out.println();
        out.print(steps.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "list", description = "The latest builds, newest first.")
    int list(@Option(names = "--status", paramLabel = "STATUS", completionCandidates = Statuses.BuildStatusCandidates.class,
                    description = "only the builds in this status: ${COMPLETION-CANDIDATES}") String status,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String path = BUILDS + (status == null ? "" : "?status=" + KilnClient.segment(status));
        if (json) {
            kiln.out().println(kiln.client().get(path, JsonNode.class).toPrettyString());
            return KilnCli.EXIT_OK;
        }
        TextTable table = new TextTable("ID", "NAME", "STATUS", "STEP", "CREATED");
        for (BuildView build : kiln.client().list(path, BuildView.class)) {
            table.row(build.id(), build.name(), build.status(), build.currentStep() + "/" + build.totalSteps(),
                    Timestamps.ago(build.createdAt(), kiln.clock()));
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "cancel", description = "Cancel a build, in whatever phase it is.")
    int cancel(@Parameters(paramLabel = "<id>", description = "the build id") String id) {
        BuildView build = kiln.client().post(buildPath(id) + "/cancel", null, BuildView.class);
        kiln.out().println(id);
        kiln.err().println("cancel of build " + id + " requested (it is " + build.status()
                + "; it ends as cancelled once its running step is stopped)");
        return KilnCli.EXIT_OK;
    }

    private static String buildPath(String id) {
        return BUILDS + "/" + KilnClient.segment(id);
    }

    /** The build for the verdict's details; the verdict itself came with the stream, so a failure here is no error. */
    private BuildView fetchQuietly(String id) {
        try {
            return kiln.client().get(buildPath(id), BuildView.class);
        } catch (ApiError e) {
            return null;
        }
    }

    private String readRecipe(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            throw kiln.usageError("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Picocli has made sure it is a number; the API takes only positive ones, and a refusal here says which option. */
    private void requirePositive(Integer value, String option) {
        if (value != null && value < 1) {
            throw kiln.usageError(option + " must be a positive number: " + value);
        }
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
