package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.golden.GoldenProgress;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats a golden activity's progress and, every few seconds, signals its message to the workflow that runs
 * it, which shows it as its current details in the Temporal UI ("Unpacking build cache (2.1/7.0 GB)"): a
 * workflow cannot read its own activities' heartbeats. Throttled, since each signal is a history event.
 */
final class ProgressReporter implements Consumer<GoldenProgress> {
    /** The signal both golden workflows take; see {@code SessionWorkflow.progress}. */
    static final String SIGNAL = "progress";
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final ActivityExecutionContext activity;
    private final long everyNanos;
    private long lastSignalNanos;
    private String lastMessage;

    ProgressReporter(ActivityExecutionContext activity, Duration every) {
        this.activity = requireNonNull(activity, "activity is null");
        this.everyNanos = every.toNanos();
        this.lastSignalNanos = System.nanoTime() - everyNanos;
    }

    @Override
    public void accept(GoldenProgress progress) {
        activity.heartbeat(progress);
        long now = System.nanoTime();
        String message = progress.message();
        if (message == null || message.equals(lastMessage) || now - lastSignalNanos < everyNanos) {
            return;
        }
        lastSignalNanos = now;
        lastMessage = message;
        ActivityInfo info = activity.getInfo();
        try {
            activity.getWorkflowClient()
                    .newUntypedWorkflowStub(info.getWorkflowId(), Optional.of(info.getRunId()), Optional.empty())
                    .signal(SIGNAL, message);
        } catch (RuntimeException e) {
            // The UI's current details are a nicety; the heartbeat above carries the same progress.
            LOG.debug("progress of {} not signalled: {}", info.getWorkflowId(), e.toString());
        }
    }
}
