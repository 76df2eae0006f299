package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Counts the bytes of a transfer and reports them to a heartbeat at most once a second. Streams handed to
 * docker-java are read inside its HTTP client, which would wrap or swallow an exception from the heartbeat (a
 * cancel); such a failure ends the stream and is kept, for the caller to rethrow once the client gives up.
 */
final class TransferMeter {

    private static final long BEAT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Consumer<TransferProgress> heartbeat;
    private long bytes;
    private long lastBeat = System.nanoTime();
    private RuntimeException heartbeatFailure;

    TransferMeter(Consumer<TransferProgress> heartbeat) {
        this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
    }

    synchronized void add(long count) {
        bytes += count;
        long now = System.nanoTime();
        if (now - lastBeat >= BEAT_NANOS) {
            lastBeat = now;
            heartbeat.accept(new TransferProgress(bytes));
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    /** {@code in}, counted; a failing heartbeat ends it with an IOException. */
    InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int value = super.read();
                if (value >= 0) {
                    count(1);
                }
                return value;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int read = super.read(buffer, offset, length);
                if (read > 0) {
                    count(read);
                }
                return read;
            }
        };
    }

    /** Rethrows what the heartbeat threw while a counted stream was read, if it threw. */
    synchronized void rethrowHeartbeatFailure() {
        if (heartbeatFailure != null) {
            throw heartbeatFailure;
        }
    }

    private void count(int read) throws IOException {
        try {
            add(read);
        } catch (RuntimeException e) {
            synchronized (this) {
                heartbeatFailure = e;
            }
            throw new IOException("transfer stopped: " + e.getMessage(), e);
        }
    }
}
