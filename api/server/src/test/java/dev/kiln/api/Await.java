package dev.kiln.api;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds; the failure message shows the last value seen, which is what debugging needs. */
final class Await {
    private Await() {}

    static <T> T until(Duration timeout, Supplier<T> probe, Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(250);
            last = probe.get();
        }
        return last;
    }
}
