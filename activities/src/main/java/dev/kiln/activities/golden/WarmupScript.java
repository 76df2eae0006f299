package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.activities.golden.RunningBuilds.RunningBuild;
import dev.kiln.workflows.golden.GoldenBuildRequest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a warm-up script in a session of its own ({@code setsid}), so that a timeout or a cancel kills it with
 * everything it started, backgrounded jobs and docker CLIs included.
 */
final class WarmupScript {
    private static final Duration TERM_GRACE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int OUTPUT_TAIL_BYTES = 8 * 1024;

    private WarmupScript() {}

    /** How the script ended; {@code tail} is the end of its combined output. */
    record Outcome(int exitCode, boolean timedOut, boolean cancelled, String tail) {}

    /** Runs the script against the build's daemon until it exits, the deadline passes or the build is cancelled. */
    static Outcome run(GoldenBuildRequest request, Path buildDir, DaemonPaths paths, BuildPhase phase,
            RunningBuild running) throws IOException {
        Path script = buildDir.resolve("warmup.sh");
        Path log = buildDir.resolve("warmup.log");
        Files.writeString(script, request.warmupScript());
        Path workspace = GoldenLayout.buildWorkspace(buildDir);
        String shell = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
        ProcessBuilder builder = new ProcessBuilder("setsid", shell, script.toString())
                .directory(workspace.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("DOCKER_HOST", paths.dockerHost());
        environment.remove("DOCKER_CONTEXT");
        environment.put("DOCKER_CONFIG", buildDir.resolve(".docker").toString());
        environment.put("KILN_GOLDEN_BUILD", "true");
        environment.put("KILN_PROJECT_ID", request.projectId());
        environment.put("KILN_BUILD_ID", request.buildId());
        environment.put("KILN_WORKSPACE", workspace.toString());
        Process process = builder.start();
        running.script = process;
        boolean timedOut = false;
        boolean cancelled = false;
        try {
            while (true) {
                try {
                    if (process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelled = true;
                    break;
                }
                if (running.cancelled) {
                    cancelled = true;
                    break;
                }
                if (phase.pastDeadline()) {
                    timedOut = true;
                    break;
                }
                try {
                    phase.beatScript();
                } catch (RuntimeException e) {
                    // The activity was cancelled: stop the script here, the caller stops the daemon and cleans up.
                    running.heartbeatFailure = e;
                    cancelled = true;
                    break;
                }
            }
        } finally {
            killGroup(process);
        }
        // cancelBuild kills the script itself, so the script may have "exited" because of the cancel.
        cancelled |= running.cancelled;
        int exitCode = timedOut || cancelled ? -1 : process.exitValue();
        return new Outcome(exitCode, timedOut, cancelled, tail(log));
    }

    /** SIGTERM to the script's process group, SIGKILL after a grace; also after a clean exit, for its leftovers. */
    static void killGroup(Process process) {
        long group = process.pid();
        List<ProcessHandle> descendants = process.descendants().toList();
        Commands.exec(List.of("kill", "-TERM", "--", "-" + group), Duration.ofSeconds(10));
        descendants.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Commands.exec(List.of("kill", "-KILL", "--", "-" + group), Duration.ofSeconds(10));
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - OUTPUT_TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
