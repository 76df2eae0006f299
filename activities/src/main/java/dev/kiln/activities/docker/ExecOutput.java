package dev.kiln.activities.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Collects an exec's attached output into bounded tails. Implemented directly rather than on docker-java's
 * ResultCallback.Adapter because the adapter's timed awaitCompletion closes the stream when the wait times out,
 * which would cut a step's output at the first poll.
 */
final class ExecOutput implements ResultCallback<Frame> {

    private final TailBuffer stdout;
    private final TailBuffer stderr;
    private final CountDownLatch finished = new CountDownLatch(1);
    private Closeable stream;
    private boolean closed;
    private volatile Throwable failure;

    ExecOutput(int tailBytes) {
        this.stdout = new TailBuffer(tailBytes);
        this.stderr = new TailBuffer(tailBytes);
    }

    @Override
    public synchronized void onStart(Closeable stream) {
        this.stream = stream;
        if (closed) {
            closeStream();
        }
    }

    @Override
    public void onNext(Frame frame) {
        switch (frame.getStreamType()) {
            case STDOUT, RAW -> stdout.write(frame.getPayload());
            case STDERR -> stderr.write(frame.getPayload());
            default -> {
                // stdin is never attached
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        if (failure == null) {
            failure = throwable;
        }
        finished.countDown();
    }

    @Override
    public void onComplete() {
        finished.countDown();
    }

    /** Stops reading; the frames read so far stay in the tails. */
    @Override
    public synchronized void close() {
        closed = true;
        closeStream();
        finished.countDown();
    }

    /** Waits up to {@code timeout} for the stream to end; returns at once if it has. */
    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    boolean ended() {
        return finished.getCount() == 0;
    }

    /** Why the stream ended early, or null when it ended with the process or has not ended. */
    Throwable failure() {
        return failure;
    }

    TailBuffer stdout() {
        return stdout;
    }

    TailBuffer stderr() {
        return stderr;
    }

    long totalBytes() {
        return stdout.totalBytes() + stderr.totalBytes();
    }

    private void closeStream() {
        if (stream == null) {
            return;
        }
        try {
            stream.close();
        } catch (IOException e) {
            // Closing only abandons the connection; the exec's outcome comes from inspecting it.
        }
    }
}
