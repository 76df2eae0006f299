package dev.kiln.activities.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StepOrderTest {
    private static final Duration PATIENCE = Duration.ofMillis(300);
    private final StepOrder order = new StepOrder();

    @Test
    void aStepWaitingOnARunningStepRunsOnceThatStepSucceeds() throws Exception {
        order.started("bld-1", "c1", 1);
        CompletableFuture<StepOrder.Turn> turn = awaitInBackground("c1", 1);

        TimeUnit.MILLISECONDS.sleep(3 * PATIENCE.toMillis());
        assertThat(turn).as("a running predecessor is never absent, however long it runs").isNotDone();
        order.ended("bld-1", "c1", 1, true);

        assertThat(turn.get(2, TimeUnit.SECONDS)).isEqualTo(StepOrder.Turn.RUN);
    }

    /** Steps are scheduled two ahead: the second waits on the first, which waits on the one running. */
    @Test
    void aStepWaitingOnAWaitingStepWaitsAsLongAsThatOne() throws Exception {
        order.started("bld-1", "c1", 1);
        CompletableFuture<StepOrder.Turn> second = awaitInBackground("c1", 1);
        CompletableFuture<StepOrder.Turn> third = awaitInBackground("c1", 2);

        TimeUnit.MILLISECONDS.sleep(3 * PATIENCE.toMillis());
        assertThat(third).as("a predecessor that waits its turn is not absent").isNotDone();
        order.ended("bld-1", "c1", 1, true);
        assertThat(second.get(2, TimeUnit.SECONDS)).isEqualTo(StepOrder.Turn.RUN);
        TimeUnit.MILLISECONDS.sleep(3 * PATIENCE.toMillis());
        assertThat(third).as("a predecessor whose turn came is running").isNotDone();
        order.ended("bld-1", "c1", 2, true);

        assertThat(third.get(2, TimeUnit.SECONDS)).isEqualTo(StepOrder.Turn.RUN);
    }

    @Test
    void aStepWhosePredecessorFailedDoesNotRun() throws Exception {
        order.started("bld-1", "c1", 1);
        CompletableFuture<StepOrder.Turn> turn = awaitInBackground("c1", 1);
        order.ended("bld-1", "c1", 1, false);

        assertThat(turn.get(2, TimeUnit.SECONDS)).isEqualTo(StepOrder.Turn.PREDECESSOR_FAILED);
    }

    @Test
    void aStepThatArrivesBeforeItsPredecessorWaitsForIt() throws Exception {
        CompletableFuture<StepOrder.Turn> turn = awaitInBackground("c1", 1);
        TimeUnit.MILLISECONDS.sleep(PATIENCE.toMillis() / 3);
        order.started("bld-1", "c1", 1);
        order.ended("bld-1", "c1", 1, true);

        assertThat(turn.get(2, TimeUnit.SECONDS)).isEqualTo(StepOrder.Turn.RUN);
    }

    @Test
    void aPredecessorNeverSeenHereIsAbsentAfterThePatience() throws Exception {
        long started = System.nanoTime();

        StepOrder.Turn turn = order.await("bld-1", "c1", 5, 4, PATIENCE, () -> {});

        assertThat(turn).isEqualTo(StepOrder.Turn.PREDECESSOR_ABSENT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(PATIENCE);
    }

    @Test
    void stepsOfAnotherSandboxDoNotCount() throws Exception {
        order.ended("bld-1", "c-old", 1, true);

        assertThat(order.await("bld-1", "c-new", 2, 1, PATIENCE, () -> {}))
                .isEqualTo(StepOrder.Turn.PREDECESSOR_ABSENT);
    }

    @Test
    void aForgottenBuildsStepsNoLongerCount() throws Exception {
        order.ended("bld-1", "c1", 1, true);
        order.forget("bld-1");

        assertThat(order.await("bld-1", "c1", 2, 1, PATIENCE, () -> {})).isEqualTo(StepOrder.Turn.PREDECESSOR_ABSENT);
    }

    @Test
    void aWaitingStepHeartbeatsAndACancelEndsTheWait() {
        order.started("bld-1", "c1", 1);
        AtomicInteger heartbeats = new AtomicInteger();

        assertThatThrownBy(() -> order.await("bld-1", "c1", 2, 1, PATIENCE, () -> {
            if (heartbeats.incrementAndGet() == 2) {
                throw new IllegalStateException("cancelled");
            }
        })).hasMessage("cancelled");
        assertThat(heartbeats).hasValue(2);
    }

    private CompletableFuture<StepOrder.Turn> awaitInBackground(String containerId, int predecessor) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return order.await("bld-1", containerId, predecessor + 1, predecessor, PATIENCE, () -> {});
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
