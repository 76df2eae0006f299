package dev.kiln.activities.docker;

import com.github.dockerjava.api.async.ResultCallback;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A streaming docker-java callback that can be waited on in slices. Implemented directly rather than on
 * docker-java's ResultCallback.Adapter because the adapter's timed awaitCompletion closes the stream when the wait
 * times out, which would cut a long exec or image load at the first poll.
 */
abstract class AwaitableCallback<T> implements ResultCallback<T> {
    private final CountDownLatch finished = new CountDownLatch(1);
    private Closeable stream;
    private boolean closed;
    private volatile Throwable failure;

    @Override
    public synchronized void onStart(Closeable stream) {
        this.stream = stream;
        if (closed) {
            closeStream();
        }
    }

    /** Keeps the first failure: later ones are usually the connection being torn down because of it. */
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

    /** Abandons the stream; what it already delivered stays readable. */
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

    /** Why the stream ended early, or null when it ended normally or has not ended. */
    Throwable failure() {
        return failure;
    }

    private void closeStream() {
        if (stream == null) {
            return;
        }
        try {
            stream.close();
        } catch (IOException e) {
            // Closing only abandons the connection; callers learn the outcome by inspecting the engine afterwards.
        }
    }
}
