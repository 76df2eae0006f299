package dev.kiln.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Every {@link ActivityOptions} Kiln uses, each with the reason for its timeouts. */
public final class ActivityCatalog {

    /**
     * A dead host never picks up its queue; without a ScheduleToStart the workflow would wait for the
     * whole StartToClose. One minute covers a busy-but-alive host's poll gap.
     */
    static final Duration HOST_SCHEDULE_TO_START = Duration.ofMinutes(1);

    /** Long host activities heartbeat every second or so; 30 s of silence means the host or its worker died. */
    static final Duration HOST_HEARTBEAT = Duration.ofSeconds(30);

    private ActivityCatalog() {}

    /** Database writes: retried with backoff, and only the failure types that no retry can fix end them early. */
    private static final RetryOptions UNTIL_THE_DATABASE_ANSWERS = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(30))
            .setDoNotRetry(FailureType.nonRetryableNames())
            .build();

    /** Work that is not idempotent runs once; whoever scheduled it decides what a failure means. */
    private static final RetryOptions ONCE = RetryOptions.newBuilder().setMaximumAttempts(1).build();

    private static RetryOptions attempts(int maximum) {
        return RetryOptions.newBuilder()
                .setMaximumAttempts(maximum)
                .setDoNotRetry(FailureType.nonRetryableNames())
                .build();
    }

    /** An activity on a host's own task queue, given {@link #HOST_SCHEDULE_TO_START} to be picked up. */
    private static ActivityOptions.Builder onHost(String hostId) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.host(hostId))
                .setScheduleToStartTimeout(HOST_SCHEDULE_TO_START);
    }

    /**
     * PostgreSQL writes on the control queue. Short attempts, retried with backoff for up to ten minutes:
     * a database restart should stall a build, not fail it.
     */
    public static ActivityOptions record() {
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setScheduleToCloseTimeout(Duration.ofMinutes(10))
                .setRetryOptions(UNTIL_THE_DATABASE_ANSWERS)
                .build();
    }

    /**
     * A build's step records (one step's end with the next one's start, or a cached step), as local activities of the
     * build: each is one short PostgreSQL transaction that kiln-api's own worker makes inside the workflow task that
     * schedules the next step, so a step costs one round trip to its host instead of three through the task queues. Retried as {@link #record()}
     * is, and for as long: a database restart should stall a build, not fail it. The summary names the step, which is
     * what the Temporal UI shows of a cached step.
     */
    public static LocalActivityOptions stepRecord(String summary) {
        return LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setScheduleToCloseTimeout(Duration.ofMinutes(10))
                .setRetryOptions(UNTIL_THE_DATABASE_ANSWERS)
                .setSummary(summary)
                .build();
    }

    /**
     * One lease sweep, as a local activity of the sweeper. A few quick attempts only: a sweep that cannot run is
     * skipped, and the next one, finding its view stale, grants every host a grace instead of expiring it.
     */
    public static LocalActivityOptions sweep() {
        return LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setScheduleToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumAttempts(3)
                        .build())
                .build();
    }

    /**
     * Placement retries while no host has room (hosts come online, builds finish), for up to
     * {@code patience}; after that the build fails with the placement error.
     */
    public static ActivityOptions placement(Duration patience) {
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setScheduleToCloseTimeout(patience)
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setMaximumInterval(Duration.ofSeconds(15))
                        .build())
                .setSummary("place build")
                .build();
    }

    /**
     * Idempotent host work (create the sandbox, commit, clean up): each call is keyed by the build id,
     * so a retry after a lost response is safe. Ten minutes covers committing a large image.
     */
    public static ActivityOptions host(String hostId, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofMinutes(10))
                .setHeartbeatTimeout(Duration.ofMinutes(2))
                .setRetryOptions(attempts(3))
                .setSummary(summary)
                .build();
    }

    /**
     * One recipe step. A step is not idempotent (RUN may append, download, increment), so it runs once:
     * a lost host fails the step through the heartbeat timeout instead of silently running it twice.
     * StartToClose leaves a margin over the step's own timeout, which the host enforces by killing it.
     * A cancel waits for the host to confirm the kill, so the sandbox is never destroyed under a live step.
     */
    public static ActivityOptions step(String hostId, long stepTimeoutSeconds, String summary) {
        return step(hostId, stepTimeoutSeconds, 0, summary);
    }

    /**
     * A step scheduled ahead, which the host holds until the steps before it have ended: its StartToClose also covers
     * their timeouts, {@code waitSeconds} in all, since it starts when the host picks the step up.
     */
    public static ActivityOptions step(String hostId, long stepTimeoutSeconds, long waitSeconds, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofSeconds(stepTimeoutSeconds + waitSeconds).plusMinutes(1))
                .setHeartbeatTimeout(HOST_HEARTBEAT)
                .setRetryOptions(ONCE)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setSummary(summary)
                .build();
    }

    /**
     * Host lifecycle calls (list containers after an outage, clean up on deletion). A host that just came back
     * answers at once; one that is gone should not hold the host workflow for long.
     */
    public static ActivityOptions hostLifecycle(String hostId, String summary) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.host(hostId))
                .setScheduleToStartTimeout(Duration.ofSeconds(30))
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
                .setSummary(summary)
                .build();
    }

    /**
     * The healthcheck probes until healthy, out of retries, or cancelled; with retries 0 only the build
     * deadline bounds it, so its StartToClose is that deadline. It heartbeats every probe.
     */
    public static ActivityOptions healthcheck(String hostId, Duration deadline, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(deadline)
                .setHeartbeatTimeout(HOST_HEARTBEAT)
                .setRetryOptions(ONCE)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setSummary(summary)
                .build();
    }

    /**
     * Cleanup after success, failure or cancel; runs in a detached scope so cancellation does not stop it.
     * Retried for up to ten minutes because a leaked sandbox costs a host real memory, but bounded, because a
     * lost host may never come back and the workflow must still end (the host reconciles on its return).
     */
    public static ActivityOptions cleanup(String hostId, String summary) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.host(hostId))
                .setScheduleToStartTimeout(Duration.ofMinutes(5))
                .setScheduleToCloseTimeout(Duration.ofMinutes(10))
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .build())
                .setSummary(summary)
                .build();
    }

    /**
     * A caller's command in a sandbox. Run once (a command is not idempotent); the host kills it at its timeout, and
     * StartToClose leaves a margin over that for the kill and the answer.
     */
    public static ActivityOptions exec(String hostId, int timeoutSeconds, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofSeconds(timeoutSeconds).plusMinutes(1))
                .setRetryOptions(ONCE)
                .setSummary(summary)
                .build();
    }

    /**
     * Committing or flattening a sandbox: minutes for gigabytes of changes. The host heartbeats while it works, so
     * a host lost mid-way is noticed within the heartbeat timeout instead of at the end of the hour.
     */
    public static ActivityOptions snapshot(String hostId, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofHours(1))
                .setHeartbeatTimeout(Duration.ofMinutes(2))
                .setRetryOptions(attempts(2))
                .setSummary(summary)
                .build();
    }

    /**
     * A golden build: the host enforces {@code deadlineSeconds} on the script, and the activity's StartToClose adds
     * only what starting and stopping the daemon take, so one deadline rules the build end to end. The host
     * heartbeats while the script runs; a retry after a host crash starts the build again from a clean dir.
     */
    public static ActivityOptions goldenBuild(String hostId, long deadlineSeconds, String summary) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofSeconds(deadlineSeconds).plusMinutes(5))
                .setHeartbeatTimeout(Duration.ofMinutes(1))
                .setRetryOptions(attempts(2))
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setSummary(summary)
                .build();
    }

    /**
     * A session's start: copying the golden (gigabytes, heartbeating bytes) and starting its daemon. Retried, since
     * a copy without its completion marker starts over from an empty dir.
     */
    public static ActivityOptions sessionStart(String hostId) {
        return onHost(hostId)
                .setStartToCloseTimeout(Duration.ofHours(1))
                .setHeartbeatTimeout(Duration.ofMinutes(1))
                .setRetryOptions(attempts(3))
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setSummary("copy the golden and start the session's daemon")
                .build();
    }
}
