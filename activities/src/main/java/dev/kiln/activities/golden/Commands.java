package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Short host commands (ip, du, umount, docker) run to completion with a timeout. */
final class Commands {

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Commands() {}

    /** Runs a command that must succeed. */
    static String run(Duration timeout, String... command) {
        Result result = exec(List.of(command), timeout);
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ": "
                    + result.output().strip());
        }
        return result.output();
    }

    static Result exec(List<String> command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + String.join(" ", command), e);
        }
        // Read aside while waiting: a command that fills the pipe would otherwise never exit.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the output of " + String.join(" ", command), e);
        }
    }

    /** Apparent size ({@code du -sb}), the measure the copy progress and the golden's size use; 0 if missing. */
    static long apparentSize(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        Result result = exec(List.of("du", "-sb", path.toString()), Duration.ofMinutes(10));
        // du exits 1 when a file vanished while it walked (a copy or a daemon at work); its total still stands.
        String first = result.output().lines().filter(line -> line.matches("^\\d+\\s.*")).reduce((a, b) -> b)
                .orElse("");
        if (first.isEmpty()) {
            return 0;
        }
        return Long.parseLong(first.split("\\s+")[0]);
    }

    static Optional<String> readString(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Long> readLong(Path file) {
        return readString(file).flatMap(text -> {
            try {
                return Optional.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** Removes a tree that holds no mounts; {@code --one-file-system} keeps rm out of anything mounted below. */
    static void removeTree(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        run(Duration.ofMinutes(30), "rm", "-rf", "--one-file-system", path.toString());
    }
}
