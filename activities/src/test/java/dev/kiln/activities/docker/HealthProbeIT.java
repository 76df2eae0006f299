package dev.kiln.activities.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import dev.kiln.workflows.sandbox.StepContext;
import io.temporal.failure.CanceledFailure;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Healthcheck probing (wrenn.md 1.6 with Kiln's fixes) against processes started by START steps. */
class HealthProbeIT extends BuildSandboxActivitiesTestBase {

    private final List<ProbeProgress> beats = new CopyOnWriteArrayList<>();

    @Test
    void becomesHealthyOnceAStartedServerIsReady() {
        environment.setActivityHeartbeatListener(ProbeProgress.class, beats::add);
        String containerId = createSandbox();
        StepContext context = activities.readEnvironment(containerId);
        assertThat(step(containerId, context, "START",
                "sleep 2; touch /tmp/ready; while :; do date > /tmp/heartbeat; sleep 1; done").ok()).isTrue();

        HealthResult result = activities.probeHealth(probe(containerId, "test -f /tmp/ready", null, 500, 0, 0));

        assertThat(result.healthy()).isTrue();
        assertThat(result.attempts()).isGreaterThan(1);
        assertThat(result.failures()).isEqualTo(result.attempts() - 1);
        // The SDK throttles heartbeats, so the listener sees some of them, not necessarily the last.
        assertThat(beats).isNotEmpty()
                .allSatisfy(beat -> assertThat(beat.attempt()).isLessThanOrEqualTo(result.attempts()));
        assertThat(beats).anySatisfy(beat -> assertThat(beat.lastExitCode()).isEqualTo(1));
    }

    @Test
    void firstProbeWaitsOneInterval() {
        String containerId = createSandbox();
        long started = System.nanoTime();

        HealthResult result = activities.probeHealth(probe(containerId, "true", null, 1_500, 0, 0));

        assertThat(result).isEqualTo(new HealthResult(true, 1, 0, ""));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(1_500);
    }

    @Test
    void isUnhealthyOnceTheRetriesAreUsedUp() {
        String containerId = createSandbox();

        HealthResult result = activities.probeHealth(probe(containerId, "echo not yet; exit 1", null, 200, 0, 2));

        assertThat(result.healthy()).isFalse();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.failures()).isEqualTo(2);
        assertThat(result.lastOutput()).isEqualTo("not yet\n");
    }

    @Test
    void failuresDuringTheStartPeriodDoNotCount() {
        String containerId = createSandbox();

        HealthResult result = activities.probeHealth(probe(containerId, "exit 1", null, 300, 1_500, 2));

        assertThat(result.healthy()).isFalse();
        assertThat(result.failures()).isEqualTo(2);
        assertThat(result.attempts()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aProbeRunningPastItsTimeoutIsKilledAndCountsAsAFailure() {
        String containerId = createSandbox();
        HealthProbe slow = new HealthProbe(buildId, containerId, "sleep 313", null, 200, 500, 0, 1);

        HealthResult result = activities.probeHealth(slow);

        assertThat(result.healthy()).isFalse();
        assertThat(result.lastOutput()).contains("timed out after 500ms");
        assertThat(run(containerId, ROOT_CONTEXT, "ps -o args")).doesNotContain("sleep 313");
    }

    @Test
    void probesAsTheTemplatesUser() {
        String containerId = createSandbox();
        step(containerId, activities.readEnvironment(containerId), "USER", "builder");

        HealthResult result = activities.probeHealth(
                probe(containerId, "test \"$(id -un)\" = builder", "builder", 200, 0, 1));

        assertThat(result.healthy()).isTrue();
    }

    @Test
    void cancelStopsProbing() throws Exception {
        environment.setActivityHeartbeatListener(ProbeProgress.class, beats::add);
        String containerId = createSandbox();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<HealthResult> probing = executor.submit(() -> activities.probeHealth(
                    probe(containerId, "echo probe >> /tmp/probes; exit 1", null, 200, 0, 0)));
            awaitAttempts(3);

            environment.requestCancelActivity();

            assertThatThrownBy(() -> probing.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(CanceledFailure.class);
        } finally {
            executor.shutdownNow();
        }
        String probes = run(containerId, ROOT_CONTEXT, "wc -l < /tmp/probes");
        Thread.sleep(1_000);
        assertThat(run(containerId, ROOT_CONTEXT, "wc -l < /tmp/probes")).isEqualTo(probes);
    }

    private HealthProbe probe(
            String containerId, String command, String user, long intervalMs, long startPeriodMs, int retries) {
        return new HealthProbe(buildId, containerId, command, user, intervalMs, 5_000, startPeriodMs, retries);
    }

    private void awaitAttempts(int attempts) throws InterruptedException {
        for (int wait = 0; wait < 200; wait++) {
            if (!beats.isEmpty() && beats.get(beats.size() - 1).attempt() >= attempts) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fewer than " + attempts + " probes ran: " + beats);
    }
}
