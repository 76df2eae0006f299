package dev.kiln.workflows.golden;

import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One host's golden and session work, logged as "hostId: ..." into the log it shares with the control side. Each
 * call first throws the failures queued for it, one per attempt, so a test chooses how many attempts fail and
 * how (retryable or not). Golden builds are {@link GoldenWorkflowTest}'s; their methods are not faked here.
 */
final class FakeGoldenHost implements GoldenHostActivities {
    static final long GENERATION = 3;
    static final String SOCKET = "unix:///run/kiln/session.sock";

    private final String hostId;
    private final List<String> log;
    final Deque<RuntimeException> startFailures = new ConcurrentLinkedDeque<>();
    final Deque<RuntimeException> stopFailures = new ConcurrentLinkedDeque<>();
    final Deque<RuntimeException> clearFailures = new ConcurrentLinkedDeque<>();
    final Deque<RuntimeException> collectFailures = new ConcurrentLinkedDeque<>();
    final CountDownLatch copyStarted = new CountDownLatch(1);
    /** While closed the copy heartbeats, as the real one does, until it is released or cancelled. */
    volatile CountDownLatch copyRelease = new CountDownLatch(0);
    volatile GoldenGcResult garbage = new GoldenGcResult(0, 0, 0);

    FakeGoldenHost(String hostId, List<String> log) {
        this.hostId = hostId;
        this.log = log;
    }

    @Override
    public SessionInfo startSession(SessionStart request) {
        log.add(hostId + ": start " + request.sessionId() + " of " + request.projectId() + " attempt " + attempt());
        failIfQueued(startFailures);
        copyStarted.countDown();
        try {
            while (!copyRelease.await(50, TimeUnit.MILLISECONDS)) {
                Activity.getExecutionContext().heartbeat(null);
            }
        } catch (ActivityCompletionException cancelled) {
            log.add(hostId + ": copy of " + request.sessionId() + " cancelled");
            throw cancelled;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
        return new SessionInfo(request.projectId(), request.sessionId(), GENERATION, 1024, 2048, SOCKET,
                "/var/lib/kiln/sessions/" + request.sessionId(), false);
    }

    @Override
    public void stopSession(SessionStop request) {
        log.add(hostId + ": stop " + request.sessionId() + (request.removeData() ? " removing its data" : ""));
        failIfQueued(stopFailures);
    }

    @Override
    public void clearGolden(String projectId) {
        log.add(hostId + ": clear " + projectId + " attempt " + attempt());
        failIfQueued(clearFailures);
    }

    @Override
    public GoldenGcResult collectGarbage(Duration idle) {
        log.add(hostId + ": collect idle for " + idle.toDays() + " days attempt " + attempt());
        failIfQueued(collectFailures);
        return garbage;
    }

    @Override
    public GoldenBuildResult build(GoldenBuildRequest request) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public GoldenPurgeResult purge(String projectId, String buildId) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public GoldenGeneration promote(String projectId, String buildId) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    // No @Override: the rework of golden progress may drop this method, and this fake should not care.
    public WriteRateSeries writeRate(String buildId) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public void cancelBuild(String projectId, String buildId) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public GoldenGeneration current(String projectId) {
        throw new UnsupportedOperationException("not used by sessions, clears or garbage collection");
    }

    private static int attempt() {
        return Activity.getExecutionContext().getInfo().getAttempt();
    }

    private static void failIfQueued(Deque<RuntimeException> failures) {
        RuntimeException failure = failures.poll();
        if (failure != null) {
            throw failure;
        }
    }
}
