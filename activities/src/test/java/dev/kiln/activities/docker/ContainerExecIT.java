package dev.kiln.activities.docker;

import dev.kiln.workflows.sandbox.StepProgress;
import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exec, tail and kill logic on its own, against the real engine and without Temporal. */
class ContainerExecIT {

    private static final DockerTestSupport support = new DockerTestSupport();
    private static final String BUILD_ID = "test-exec-" + UUID.randomUUID();
    private static final AtomicInteger steps = new AtomicInteger();

    private static ContainerExec exec;
    private static String containerId;

    @BeforeAll
    static void startSandbox() throws InterruptedException {
        DockerClient docker = DockerTestSupport.docker();
        support.image(MINIMAL_IMAGE);
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);
        exec = new ContainerExec(docker);
        containerId = support.container(new BuildSandboxHostActivitiesImpl(docker, DockerTestSupport.HOST, buildId -> {
                    throw new IOException("no archives in these tests");
                })
                .createBuildSandbox(new CreateBuildSandbox(BUILD_ID, MINIMAL_IMAGE, 1, 128)));
    }

    @AfterAll
    static void removeSandbox() throws InterruptedException {
        support.removeAll();
    }

    @Test
    void capturesExitCodeAndBothStreams() {
        ExecResult outcome = exec.run(step("echo out; echo err >&2; exit 3", 30), progress -> {});

        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.stdoutTail()).isEqualTo("out\n");
        assertThat(outcome.stderrTail()).isEqualTo("err\n");
        assertThat(outcome.elapsedMs()).isBetween(0L, 10_000L);
    }

    @Test
    void successfulStepIsOk() {
        ExecResult outcome = exec.run(step("echo 'single \"quoted\"' \"$HOME\" | tr a-z A-Z", 30), progress -> {});

        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.stdoutTail()).isEqualTo("SINGLE \"QUOTED\" /ROOT\n");
    }

    @Test
    void failingStepReturnsNotOkWithItsExitCode() {
        ExecResult missingCommand = exec.run(step("no-such-command", 30), progress -> {});

        assertThat(missingCommand.ok()).isFalse();
        assertThat(missingCommand.exitCode()).isEqualTo(127);
        assertThat(missingCommand.stderrTail()).contains("no-such-command");
    }

    @Test
    void tailKeepsTheEndOfLongOutput() {
        String printLines = "i=0; while [ $i -lt 3000 ]; do echo line-$i; echo err-$i >&2; i=$((i+1)); done";

        ExecResult outcome = exec.run(step(printLines, 60), progress -> {});

        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.stdoutTail().getBytes(StandardCharsets.UTF_8)).hasSize(ContainerExec.TAIL_BYTES);
        assertThat(outcome.stdoutTail()).endsWith("line-2998\nline-2999\n").doesNotContain("line-100\n");
        assertThat(outcome.stderrTail().getBytes(StandardCharsets.UTF_8)).hasSize(ContainerExec.TAIL_BYTES);
        assertThat(outcome.stderrTail()).endsWith("err-2999\n");
    }

    @Test
    void runsAsTheRequestedUser() {
        ExecRequest asUser = new ExecRequest(containerId, name(), "id -u; id -g", "1000:1001", Duration.ofSeconds(30));

        assertThat(exec.run(asUser, progress -> {}).stdoutTail()).isEqualTo("1000\n1001\n");
    }

    @Test
    void heartbeatsReportElapsedTimeAndOutputSoFar() {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();

        ExecResult outcome = exec.run(step("echo first; sleep 3; echo second", 30), beats::add);

        assertThat(outcome.ok()).isTrue();
        assertThat(beats).hasSizeBetween(2, 4);
        assertThat(beats.get(0).elapsedMs()).isBetween(900L, 2_000L);
        assertThat(beats.get(0).outputBytes()).isEqualTo("first\n".length());
        assertThat(beats).isSortedAccordingTo((a, b) -> Long.compare(a.elapsedMs(), b.elapsedMs()));
    }

    @Test
    void heartbeatsCarryTheBoundedTailsOfBothStreamsWhenAsked() {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();

        ExecResult outcome = exec.run(step("head -c 6000 /dev/zero | tr '\\0' a; echo; echo oops >&2; sleep 2; "
                + "echo done", 30), 4096, beats::add);

        assertThat(outcome.ok()).isTrue();
        assertThat(beats).isNotEmpty();
        StepProgress first = beats.get(0);
        assertThat(first.stdoutTail()).hasSize(4096).endsWith("aaa\n");
        assertThat(first.stderrTail()).isEqualTo("oops\n");
        assertThat(first.outputBytes()).isEqualTo(6001 + 5);
        // Without the tail size the heartbeats stay as small as they always were.
        List<StepProgress> plain = new CopyOnWriteArrayList<>();
        exec.run(step("echo hi; sleep 2", 30), plain::add);
        assertThat(plain).isNotEmpty().allSatisfy(beat -> assertThat(beat.stdoutTail()).isNull());
    }

    @Test
    void timedOutStepIsKilledAndLeavesNoProcess() {
        ExecResult outcome = exec.run(step("echo started; sleep 302 & sleep 301; echo never", 2), progress -> {});

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(-1);
        assertThat(outcome.stdoutTail()).isEqualTo("started\n");
        assertThat(outcome.stderrTail()).endsWith("timed out after 2s\n");
        assertThat(outcome.elapsedMs()).isBetween(2_000L, 10_000L);
        assertThat(processes()).doesNotContain("sleep 301", "sleep 302");
    }

    @Test
    void stepIgnoringTermIsKilledAnyway() {
        ExecResult outcome = exec.run(step("trap '' TERM; sleep 307", 1), progress -> {});

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.elapsedMs()).isBetween(3_000L, 15_000L);
        assertThat(processes()).doesNotContain("sleep 307");
    }

    @Test
    void killReachesAStepRunAsAnotherUser() {
        ExecRequest asUser =
                new ExecRequest(containerId, name(), "sleep 308 & sleep 309 & wait", "1000", Duration.ofSeconds(1));

        ExecResult outcome = exec.run(asUser, progress -> {});

        assertThat(outcome.timedOut()).isTrue();
        assertThat(processes()).doesNotContain("sleep 308", "sleep 309");
    }

    @Test
    void timeoutNoticeGoesOnALineOfItsOwn() {
        ExecResult outcome = exec.run(step("printf partial >&2; sleep 303", 1), progress -> {});

        assertThat(outcome.stderrTail()).isEqualTo("partial\ntimed out after 1s\n");
    }

    @Test
    void throwingHeartbeatKillsTheStepAndRethrows() {
        RuntimeException cancelled = new IllegalStateException("cancelled");
        AtomicInteger beats = new AtomicInteger();

        assertThatThrownBy(() -> exec.run(step("sleep 304", 0), progress -> {
                    if (beats.incrementAndGet() == 2) {
                        throw cancelled;
                    }
                }))
                .isSameAs(cancelled);

        assertThat(processes()).doesNotContain("sleep 304");
    }

    @Test
    void killEndsWhatAPreviousAttemptLeftRunning() throws Exception {
        ExecRequest step = step("sleep 305 & sleep 306", 0);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<ExecResult> previousAttempt = executor.submit(() -> exec.run(step, progress -> {}));
            awaitProcess("sleep 306");

            exec.kill(containerId, step.name());

            ExecResult outcome = previousAttempt.get(30, TimeUnit.SECONDS);
            assertThat(outcome.ok()).isFalse();
            assertThat(outcome.timedOut()).isFalse();
            assertThat(processes()).doesNotContain("sleep 305", "sleep 306");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void killWithNothingRunningDoesNothing() {
        exec.kill(containerId, name());

        assertThat(exec.run(step("echo still alive", 30), progress -> {}).stdoutTail()).isEqualTo("still alive\n");
    }

    @Test
    void timeoutsFinerThanASecondAreKept() {
        ExecRequest probe = new ExecRequest(containerId, name(), "sleep 310", null, Duration.ofMillis(1500));

        ExecResult outcome = exec.run(probe, progress -> {});

        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.stderrTail()).isEqualTo("timed out after 1500ms\n");
    }

    private static ExecRequest step(String command, long timeoutSeconds) {
        return new ExecRequest(containerId, name(), command, null, Duration.ofSeconds(timeoutSeconds));
    }

    private static String name() {
        return BUILD_ID + "/" + steps.incrementAndGet();
    }

    private static String processes() {
        return exec.run(step("ps -o pid,args", 30), progress -> {}).stdoutTail();
    }

    private static void awaitProcess(String args) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            if (processes().contains(args)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(args + " never started");
    }
}
