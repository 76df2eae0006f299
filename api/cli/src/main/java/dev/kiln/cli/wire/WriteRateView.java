package dev.kiln.cli.wire;

import java.util.List;

/** A golden build's disk writes ({@code WriteRate}): cumulative samples, oldest first, and the latest rate. */
public record WriteRateView(String status, List<WriteSample> samples, double writeRateMbps) {
    public WriteRateView {
        samples = samples == null ? List.of() : List.copyOf(samples);
    }

    /** One sample: when, and the bytes written by then. */
    public record WriteSample(String t, long writeBytes) {}
}
