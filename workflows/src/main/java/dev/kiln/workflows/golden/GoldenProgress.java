package dev.kiln.workflows.golden;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Heartbeat details of the golden activities, which kiln-api decodes from the pending activity while it runs. A
 * session copy fills {@code copiedBytes}/{@code totalBytes} and a message such as "Unpacking build cache (2.1/7.0
 * GB)"; a build fills {@code elapsedMs}, {@code writtenBytes} (what its daemon and containers have written so far)
 * and, once its daemon runs, {@code io}: its write series so far, thinned to at most {@link #MAX_IO_SAMPLES}
 * samples so that a heartbeat stays small.
 *
 * <p>Components are only ever added (older hosts send the shorter shape, which decodes with {@code io} null), and
 * unknown properties are ignored, since hosts and kiln-api upgrade separately.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GoldenProgress(
        String phase, long elapsedMs, long copiedBytes, long totalBytes, long writtenBytes, String message,
        WriteRateSeries io) {

    public static final String COPY = "copy";
    public static final String START_DAEMON = "start-daemon";
    public static final String LOAD_BASE = "load-base-image";
    public static final String SCRIPT = "script";
    public static final String STOP_DAEMON = "stop-daemon";

    /** Enough for the CLI's sparkline; 120 samples are about 5 KB of JSON. */
    public static final int MAX_IO_SAMPLES = 120;

    /** Progress with no write series: a session copy, or a build before its daemon runs. */
    public GoldenProgress(String phase, long elapsedMs, long copiedBytes, long totalBytes, long writtenBytes,
            String message) {
        this(phase, elapsedMs, copiedBytes, totalBytes, writtenBytes, message, null);
    }
}
