package dev.kiln.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints what a failed integration test leaves no trace of: where each running kiln-host's threads are, the end of
 * its log, and whether the engine still answers, with where dockerd is stuck when it does not. kiln-host's logs go with
 * its temp state dir when the JVM exits, and CI keeps only the console, so a hang there used to show nothing but the
 * last request kiln-api logged. (It was dockerd: stuck for 75 minutes after removing four sandboxes at once.)
 * Registered for every test by the ServiceLoader entry beside it (JUnit's extension autodetection, which the poms turn
 * on).
 */
public final class FailureDiagnostics
        implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOG_LINES = 40;
    /** Frames of each kiln-host thread shown: enough to see the call it waits in, not the whole worker. */
    private static final int FRAMES = 14;
    private static final String DOCKERD_LOG = "/var/log/kiln/dockerd.log";
    /** Where dockerd writes its goroutine dump on SIGUSR1. */
    private static final String DOCKERD_EXEC_ROOT = "/var/run/docker";
    private static final int STUCK_GOROUTINES = 12;
    /** Each frame of a goroutine dump is two lines, the function and its file. */
    private static final int GOROUTINE_FRAMES = 8;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        report(context, failure);
        throw failure;
    }

    private static void report(ExtensionContext context, Throwable failure) {
        List<String> lines = new ArrayList<>();
        lines.add("==== diagnostics: " + context.getUniqueId() + " failed: " + firstLine(failure));
        for (HostProcess host : HostProcess.alive()) {
            lines.add("---- kiln-host " + host.hostId() + " (pid " + host.pid() + "): its kiln threads");
            lines.addAll(kilnThreads(host.pid()));
            lines.add("---- kiln-host " + host.hostId() + ": the last " + LOG_LINES + " lines of its log");
            lines.addAll(tail(host.stateDir().resolve("kiln-host.log"), LOG_LINES));
        }
        lines.add("---- the engine");
        String containers = timed("docker ps -a", List.of("docker", "ps", "-a", "--format", "{{.Names}} {{.Status}}"));
        lines.add(containers);
        if (!containers.contains(" answered ")) {
            // dockerd writes every goroutine's stack to a file on SIGUSR1 and logs where: the log's tail says.
            lines.add(timed("kill -USR1 dockerd", List.of("pkill", "-USR1", "-x", "dockerd")));
            lines.addAll(stuckGoroutines());
        }
        lines.addAll(tail(Path.of(DOCKERD_LOG), 10));
        lines.add(timed("df -h", List.of("df", "-h", "/", "/var/lib/docker", "/tmp")));
        lines.add("==== end of diagnostics");
        System.out.println(String.join(System.lineSeparator(), lines));
    }

    /**
     * The stacks of kiln-host's own threads and its activity executors, from {@code jcmd Thread.print}: a whole dump of
     * a Temporal worker is thousands of lines, and CI shows the end of the console only.
     */
    private static List<String> kilnThreads(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Commands.Result dump;
        try {
            dump = Commands.run(List.of(jcmd.toString(), String.valueOf(pid), "Thread.print"), COMMAND_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            return List.of("jcmd failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted");
        }
        List<String> kept = new ArrayList<>();
        for (String thread : dump.output().split("\n\n")) {
            String name = thread.strip();
            boolean ours = name.startsWith("\"kiln-") || name.startsWith("\"Activity Executor");
            // A pool thread waiting for work says nothing about a hang.
            if (ours && !thread.contains("ThreadPoolExecutor.getTask")) {
                List<String> lines = List.of(name.split("\n"));
                kept.addAll(lines.subList(0, Math.min(lines.size(), FRAMES)));
            }
        }
        return kept.isEmpty() ? List.of("(every kiln thread idle)") : kept;
    }

    /**
     * From the newest goroutine dump of dockerd, the goroutines waiting for minutes on a lock or a send, a few frames
     * each: where the engine is stuck, in a few dozen lines. The whole dump stays on the machine.
     */
    private static List<String> stuckGoroutines() {
        try {
            Thread.sleep(2000);
            Path dump;
            try (Stream<Path> dumps = Files.list(Path.of(DOCKERD_EXEC_ROOT))) {
                dump = dumps.filter(file -> file.getFileName().toString().startsWith("goroutine-stacks-"))
                        .max(Comparator.comparing(file -> file.toFile().lastModified())).orElse(null);
            }
            if (dump == null) {
                return List.of("no goroutine dump in " + DOCKERD_EXEC_ROOT);
            }
            List<String> kept = new ArrayList<>();
            kept.add("goroutines of " + dump + " waiting for minutes on a lock or a send:");
            int shown = 0;
            for (String goroutine : new String(Files.readAllBytes(dump), StandardCharsets.UTF_8).split("\n\n")) {
                List<String> lines = List.of(goroutine.strip().split("\n"));
                String state = lines.get(0);
                // Waits on a lock or on a send nobody takes: an idle daemon has none of these for minutes.
                boolean stuck = state.contains("minutes]") && (state.contains("semacquire")
                        || state.contains("Mutex") || state.contains("chan send"));
                if (stuck && shown++ < STUCK_GOROUTINES) {
                    kept.addAll(lines.subList(0, Math.min(lines.size(), 2 * GOROUTINE_FRAMES + 1)));
                }
            }
            return kept;
        } catch (IOException | RuntimeException e) {
            return List.of("cannot read dockerd's goroutine dump: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted");
        }
    }

    private static String timed(String what, List<String> command) {
        long started = System.nanoTime();
        try {
            Commands.Result result = Commands.run(command, COMMAND_TIMEOUT);
            return what + " answered in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms (exit "
                    + result.exitCode() + "):\n" + result.output().strip();
        } catch (IOException | RuntimeException e) {
            return what + " FAILED: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return what + ": interrupted";
        }
    }

    private static List<String> tail(Path file, int count) {
        try {
            // Lenient: a log cut mid-character by a killed process still shows.
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
            return all.subList(Math.max(0, all.size() - count), all.size());
        } catch (IOException | RuntimeException e) {
            return List.of("cannot read " + file + ": " + e);
        }
    }

    private static String firstLine(Throwable failure) {
        String text = String.valueOf(failure);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
