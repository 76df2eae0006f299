package dev.kiln.activities.golden;

import dev.kiln.workflows.golden.WriteRateSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure arithmetic of the write series. {@code /proc/<pid>/io} counters are per process and vanish with it, so the
 * series is not their sum but the sum of their increments: a process that exits between two samples takes its
 * count with it without making the series go down.
 */
public final class WriteRates {

    private final Map<Long, Long> lastByPid = new HashMap<>();
    private long total;

    /**
     * Adds one reading ({@code write_bytes} by pid) and returns the cumulative total. A pid seen for the first
     * time counts in full: it started since the previous sample (or this is the first one, at the daemon's start).
     */
    public long update(Map<Long, Long> writeBytesByPid) {
        for (Map.Entry<Long, Long> entry : writeBytesByPid.entrySet()) {
            Long previous = lastByPid.get(entry.getKey());
            long value = entry.getValue();
            // Lower than before: the pid was reused by a new process, whose whole count is new.
            total += previous == null || value < previous ? value : value - previous;
        }
        lastByPid.clear();
        lastByPid.putAll(writeBytesByPid);
        return total;
    }

    /** MB/s (1e6) between the last two samples, never negative; 0 with fewer than two samples. */
    public static double currentMbps(List<WriteRateSample> samples) {
        if (samples.size() < 2) {
            return 0;
        }
        WriteRateSample previous = samples.get(samples.size() - 2);
        WriteRateSample last = samples.get(samples.size() - 1);
        long millis = last.tMs() - previous.tMs();
        if (millis <= 0) {
            return 0;
        }
        return Math.max(0, (last.writeBytes() - previous.writeBytes()) / (millis / 1000.0) / 1e6);
    }

    /**
     * At most {@code max} of the samples, evenly spread and always with the first and the last: the series is
     * cumulative, so any subset still reads as bytes written by then, and the newest value stays exact.
     */
    public static List<WriteRateSample> thinned(List<WriteRateSample> samples, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("max must be at least 2, was " + max);
        }
        if (samples.size() <= max) {
            return List.copyOf(samples);
        }
        List<WriteRateSample> kept = new ArrayList<>(max);
        int last = samples.size() - 1;
        for (int i = 0; i < max; i++) {
            kept.add(samples.get((int) ((long) i * last / (max - 1))));
        }
        return List.copyOf(kept);
    }

    /** The {@code write_bytes} line of a {@code /proc/<pid>/io} file, or -1 when it has none. */
    public static long parseWriteBytes(String procIo) {
        for (String line : procIo.split("\n")) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).strip());
            }
        }
        return -1;
    }
}
