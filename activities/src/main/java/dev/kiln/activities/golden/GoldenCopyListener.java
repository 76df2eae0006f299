package dev.kiln.activities.golden;

import java.time.Duration;

/**
 * Told of every finished copy of a golden into a new session, so the host can export copy throughput (bytes over
 * seconds) without the activities depending on a metrics library.
 */
@FunctionalInterface
public interface GoldenCopyListener {
    GoldenCopyListener NONE = (bytes, elapsed) -> {};

    /** A session's copy of {@code bytes} (the golden's apparent size) took {@code elapsed}. */
    void copied(long bytes, Duration elapsed);
}
