package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** What a host keeps of its step cache at each collection: images no older than {@code maxAge}, {@code maxBytes} in all. */
public record StepCacheBounds(Duration maxAge, long maxBytes) {
    /** A week of rebuilds, and 10 GiB: a tenth of a small host's disk. */
    public static final StepCacheBounds DEFAULT = new StepCacheBounds(Duration.ofDays(7), 10L * 1024 * 1024 * 1024);

    public StepCacheBounds {
        requireNonNull(maxAge, "maxAge is null");
        if (maxAge.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException("step cache bounds must not be negative: " + maxAge + ", " + maxBytes);
        }
    }
}
