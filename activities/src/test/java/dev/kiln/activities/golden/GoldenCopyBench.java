package dev.kiln.activities.golden;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The session copy as {@code api/bench/golden-copy.sh} times it: the real {@link ParallelCopier}, run with
 * {@code java -cp activities/target/classes:activities/target/test-classes}. Prints one line:
 * {@code <elapsed ms> <total bytes> <workers>}.
 */
public final class GoldenCopyBench {

    private GoldenCopyBench() {}

    public static void main(String[] arguments) {
        if (arguments.length < 2) {
            System.err.println("usage: GoldenCopyBench <source> <destination> [workers]");
            System.exit(2);
        }
        ParallelCopier copier = arguments.length > 2
                ? new ParallelCopier(Integer.parseInt(arguments[2]), Duration.ofSeconds(2))
                : ParallelCopier.withDefaults();
        int workers = arguments.length > 2 ? Integer.parseInt(arguments[2])
                : Math.max(2, Math.min(16, Runtime.getRuntime().availableProcessors()));
        long started = System.nanoTime();
        long total = copier.copy(Path.of(arguments[0]), Path.of(arguments[1]), (copied, all) -> {});
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        System.out.println(elapsedMs + " " + total + " " + workers);
    }
}
