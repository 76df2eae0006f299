package dev.kiln.workflows.golden;

import dev.kiln.model.SessionStatus;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The control side of sessions, clears and garbage collection: answers which hosts to visit and logs every write
 * as "control: ..." into the log it shares with the hosts, so that a test reads the order across queues. Golden
 * builds are {@link GoldenWorkflowTest}'s; their methods are not faked here.
 */
final class FakeGoldenRecords implements GoldenRecordActivities {
    private final List<String> log;
    final CountDownLatch sessionRunning = new CountDownLatch(1);
    volatile List<String> goldenHosts = List.of();
    volatile List<String> onlineHosts = List.of();

    FakeGoldenRecords(List<String> log) {
        this.log = log;
    }

    @Override
    public List<String> goldenHosts(String projectId) {
        log.add("control: golden hosts of " + projectId);
        return goldenHosts;
    }

    @Override
    public void goldenCleared(String projectId, String hostId) {
        log.add("control: cleared " + projectId + " on " + hostId);
    }

    @Override
    public List<String> onlineHosts() {
        log.add("control: online hosts");
        return onlineHosts;
    }

    @Override
    public void sessionRunning(String sessionId, SessionInfo info) {
        log.add("control: " + sessionId + " running generation " + info.generation() + " on " + info.socket());
        sessionRunning.countDown();
    }

    @Override
    public void sessionEnded(String sessionId, SessionStatus status, String error) {
        log.add("control: " + sessionId + " ended " + status + (error == null ? "" : ": " + error));
    }

    @Override
    public GoldenPlan planBuilds(String projectId, String workflowIdPrefix) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public void buildReady(String projectId, String hostId, String buildId, GoldenGeneration generation,
            WriteRateSeries io) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public void buildFailed(String projectId, String hostId, String buildId, String error, WriteRateSeries io) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }

    @Override
    public void buildCancelled(String projectId, String hostId, String buildId, WriteRateSeries io) {
        throw new UnsupportedOperationException("golden builds are not faked here");
    }
}
