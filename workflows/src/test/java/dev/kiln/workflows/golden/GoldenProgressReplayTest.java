package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Histories recorded with the workflows as they were before progress moved to heartbeats alone (commit 0814c6a):
 * a golden build that got {@code progress} signals and a {@code writeRate} update, which ran GoldenWriteRate, and
 * a session that got {@code progress} signals. Open workflows of that time must still replay on today's code.
 */
class GoldenProgressReplayTest {

    @Test
    void aBuildThatGotProgressSignalsAndAWriteRateUpdateStillReplays() {
        assertThatCode(() -> WorkflowReplayer.replayWorkflowExecution(
                history("golden-host-build-with-write-rate-update-and-progress-signals.json"),
                GoldenHostBuildWorkflowImpl.class)).doesNotThrowAnyException();
    }

    @Test
    void aSessionThatGotProgressSignalsStillReplays() {
        assertThatCode(() -> WorkflowReplayer.replayWorkflowExecution(history("session-with-progress-signals.json"),
                SessionWorkflowImpl.class)).doesNotThrowAnyException();
    }

    private static WorkflowExecutionHistory history(String name) throws IOException {
        try (InputStream in = GoldenProgressReplayTest.class.getResourceAsStream(name)) {
            return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
