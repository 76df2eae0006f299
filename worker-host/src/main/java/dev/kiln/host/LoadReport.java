package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a heartbeat carries the host's load (#15). The load is the only part of a heartbeat that writes the
 * wide hosts row, so it goes only when it changed enough to matter to an operator or to placement, or when the last
 * one sent is older than {@link #REFRESH}; every other beat only renews the lease.
 */
final class LoadReport {
    /** Even an idle host's load is refreshed this often, so the hosts page never shows figures older than this. */
    static final Duration REFRESH = Duration.ofMinutes(5);
    /** Changes below these are noise from one beat to the next. */
    private static final double CPU_PCT_STEP = 10;
    private static final long MEMORY_MB_STEP = 256;
    private static final long DISK_GB_STEP = 1;

    private Map<String, Object> lastSent;
    private Instant lastSentAt = Instant.MIN;

    /** The load to send with the next beat: {@code current} when it is news, else an empty map. */
    synchronized Map<String, Object> toSend(Map<String, Object> current, Instant now) {
        requireNonNull(current, "current is null");
        if (lastSent == null || !lastSentAt.plus(REFRESH).isAfter(now) || changed(lastSent, current)) {
            return current;
        }
        return Map.of();
    }

    /** Called once kiln-api has taken a beat that carried {@code load}. */
    synchronized void sent(Map<String, Object> load, Instant now) {
        if (!load.isEmpty()) {
            lastSent = Map.copyOf(load);
            lastSentAt = now;
        }
    }

    private static boolean changed(Map<String, Object> before, Map<String, Object> now) {
        return !Objects.equals(before.get("running_sandboxes"), now.get("running_sandboxes"))
                || moved(before, now, "cpu_pct", CPU_PCT_STEP)
                || moved(before, now, "memory_used_mb", MEMORY_MB_STEP)
                || moved(before, now, "disk_used_gb", DISK_GB_STEP);
    }

    private static boolean moved(Map<String, Object> before, Map<String, Object> now, String key, double step) {
        if (!(before.get(key) instanceof Number was) || !(now.get(key) instanceof Number is)) {
            return !Objects.equals(before.get(key), now.get(key));
        }
        return Math.abs(is.doubleValue() - was.doubleValue()) >= step;
    }
}
