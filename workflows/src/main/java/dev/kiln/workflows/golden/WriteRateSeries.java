package dev.kiln.workflows.golden;

import java.util.List;

/**
 * Payload: a golden build's write series, oldest first, and the current rate between the last two samples
 * ({@code max(0, dB/ds) / 1e6}). {@code source} says what was measured: {@code proc-io} (write_bytes of the
 * daemon and its containers' tasks) or {@code data-dir} (growth of the data dir, when /proc cannot be read).
 * {@code running} is false once the build has ended; the series is then the final one.
 */
public record WriteRateSeries(
        String buildId, List<WriteRateSample> samples, double writeRateMbps, String source, boolean running) {}
