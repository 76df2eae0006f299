package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Commands a test fixture runs to set up or tear down a service of its own, with their output for its failures. */
final class Commands {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private Commands() {}

    record Result(int exitCode, String output) {}

    /** Runs a command that must succeed within {@link #TIMEOUT}, and returns its combined output. */
    static String require(String... command) throws IOException, InterruptedException {
        Result result = run(List.of(command));
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ": "
                    + result.output());
        }
        return result.output();
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, TIMEOUT);
    }

    static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read aside while waiting: a command that fills the pipe would otherwise never exit, and a read on this
        // thread would ignore the timeout of a command that hangs.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
        }
        try {
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("reading the output of " + String.join(" ", command), e);
        }
    }
}
