package dev.kiln.workflows.golden;

/**
 * Heartbeat details of the golden activities. A session copy fills {@code copiedBytes}/{@code totalBytes} and a
 * message such as "Unpacking build cache (2.1/7.0 GB)"; a build fills {@code elapsedMs} and
 * {@code writtenBytes} (what its daemon and containers have written so far).
 */
public record GoldenProgress(
        String phase, long elapsedMs, long copiedBytes, long totalBytes, long writtenBytes, String message) {

    public static final String COPY = "copy";
    public static final String START_DAEMON = "start-daemon";
    public static final String LOAD_BASE = "load-base-image";
    public static final String SCRIPT = "script";
    public static final String STOP_DAEMON = "stop-daemon";
}
