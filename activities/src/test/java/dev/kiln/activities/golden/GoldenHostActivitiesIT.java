package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.workflows.golden.GoldenBuildRequest;
import dev.kiln.workflows.golden.GoldenBuildResult;
import dev.kiln.workflows.golden.GoldenGeneration;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.GoldenPurgeResult;
import dev.kiln.workflows.golden.SessionInfo;
import dev.kiln.workflows.golden.SessionStart;
import dev.kiln.workflows.golden.SessionStop;
import dev.kiln.workflows.golden.WriteRateSeries;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The golden activities on the real engine with real dockerd processes: each test has its own state dir, and
 * {@link GoldenTestRoot#close} stops every daemon under it and removes it, also when the test failed.
 */
class GoldenHostActivitiesIT {

    private static DockerClient hostDocker;

    private GoldenTestRoot root;
    private GoldenHostActivitiesImpl activities;
    /** What the copy listener was told: bytes and nanoseconds of each finished session copy. */
    private final List<long[]> copies = new CopyOnWriteArrayList<>();
    private final String projectId = "prj-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String WARM_SCRIPT = """
            set -e
            mkdir -p ctx
            printf 'FROM kiln/minimal:latest\\nRUN echo warm > /warm && dd if=/dev/zero of=/blob bs=1M count=20\\n' \\
                > ctx/Dockerfile
            docker build -t warm:1 ctx
            """;

    @BeforeAll
    static void connect() {
        hostDocker = DockerClients.create("unix:///var/run/docker.sock");
    }

    @BeforeEach
    void createRoot() throws Exception {
        root = new GoldenTestRoot();
        activities = new GoldenHostActivitiesImpl(root.root, hostDocker,
                List.of(GoldenHostActivitiesImpl.MINIMAL_IMAGE), Clock.systemUTC(),
                new ParallelCopier(4, Duration.ofMillis(100)), Duration.ofMillis(500),
                (bytes, elapsed) -> copies.add(new long[] {bytes, elapsed.toNanos()}));
    }

    @AfterEach
    void removeRoot() {
        root.close();
    }

    private static final Consumer<GoldenProgress> IGNORE = progress -> {};

    private GoldenBuildResult build(String buildId, String script, boolean incremental) {
        return activities.build(new GoldenBuildRequest(projectId, buildId, script, 300, incremental), IGNORE);
    }

    private GoldenGeneration buildAndPromote(String buildId, String script) {
        GoldenBuildResult result = build(buildId, script, true);
        assertThat(result.ok()).as("build %s: %s", result.failure(), result.outputTail()).isTrue();
        activities.purge(projectId, buildId);
        return activities.promote(projectId, buildId);
    }

    private static String docker(SessionInfo session, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("docker", "-H", session.socket()));
        command.addAll(List.of(arguments));
        Commands.Result result = Commands.exec(command, Duration.ofSeconds(120));
        assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.output()).isZero();
        return result.output();
    }

    @Test
    void buildPurgePromoteThenANewSessionHasTheWarmImageWithoutRebuilding() throws Exception {
        GoldenBuildResult result = build("b1", WARM_SCRIPT, true);
        assertThat(result.ok()).as(result.failure() + "\n" + result.outputTail()).isTrue();
        assertThat(result.stagingDir()).isNotNull();
        // The daemon has exited before the result: nothing of it runs any more.
        assertThat(SessionDaemon.leftOver(activities.layout().daemon("build", "b1"), Path.of(result.stagingDir())))
                .isFalse();
        WriteRateSeries writes = activities.writeRate("b1");
        assertThat(writes.running()).isFalse();
        assertThat(writes.samples()).isNotEmpty();
        assertThat(writes.source()).isEqualTo(WriteRateSampler.PROC_IO);
        assertThat(writes.samples().get(writes.samples().size() - 1).writeBytes()).isGreaterThan(20_000_000);
        // A retry of the finished build reports it instead of running it again.
        assertThat(build("b1", WARM_SCRIPT, true)).isEqualTo(result);

        GoldenPurgeResult purged = activities.purge(projectId, "b1");
        assertThat(purged.pruneSkipped()).isFalse();
        GoldenGeneration generation = activities.promote(projectId, "b1");
        assertThat(generation.generation()).isEqualTo(1);
        assertThat(generation.sizeBytes()).isGreaterThan(20_000_000);
        assertThat(activities.promote(projectId, "b1")).isEqualTo(generation);
        assertThat(activities.current(projectId)).isEqualTo(generation);
        assertThat(activities.layout().build(projectId, "b1")).doesNotExist();

        List<GoldenProgress> progress = new CopyOnWriteArrayList<>();
        SessionInfo session = activities.startSession(new SessionStart(projectId, "s1"), progress::add);
        try {
            assertThat(session.generation()).isEqualTo(1);
            assertThat(session.copiedBytes()).isEqualTo(session.totalBytes()).isGreaterThan(20_000_000);
            assertThat(copies).singleElement().satisfies(copy -> {
                assertThat(copy[0]).isEqualTo(session.copiedBytes());
                assertThat(copy[1]).isPositive();
            });
            assertThat(progress).anySatisfy(beat -> assertThat(beat.message()).startsWith("Unpacking build cache ("));
            assertThat(docker(session, "images", "--format", "{{.Repository}}:{{.Tag}}")).contains("warm:1");
            assertThat(docker(session, "run", "--rm", "warm:1", "cat", "/warm").strip()).isEqualTo("warm");
            Path context = Files.createDirectories(root.root.resolve("ctx"));
            Files.writeString(context.resolve("Dockerfile"), "FROM kiln/minimal:latest\n"
                    + "RUN echo warm > /warm && dd if=/dev/zero of=/blob bs=1M count=20\n");
            assertThat(docker(session, "build", "-t", "warm:2", context.toString())).contains("Using cache");
        } finally {
            activities.stopSession(new SessionStop("s1", true));
        }
        assertThat(SessionDaemon.leftOver(activities.layout().daemon("session", "s1"), Path.of(session.dataDir())))
                .isFalse();
        assertThat(activities.layout().session("s1")).doesNotExist();
    }

    @Test
    void containersOfTheWarmupAreNotRestartedAndCreateNoEmptyBindSourceInANewSession() throws Exception {
        // Seed 000's P0: a container with a bind mount into the workspace, left running when the script ends.
        String script = """
                set -e
                mkdir -p "$KILN_WORKSPACE/data"
                echo keep > "$KILN_WORKSPACE/data/go.mod"
                docker run -d --restart=always -v "$KILN_WORKSPACE/data:/data" kiln/minimal:latest sleep 1000
                """;
        GoldenBuildResult result = build("p0", script, true);
        assertThat(result.ok()).as(result.failure() + "\n" + result.outputTail()).isTrue();
        Path bindSource = activities.layout().build(projectId, "p0").resolve("workspace/data");
        activities.purge(projectId, "p0");
        GoldenGeneration generation = activities.promote(projectId, "p0");
        assertThat(Path.of(generation.path()).resolve("containers")).doesNotExist();
        assertThat(bindSource).doesNotExist();

        SessionInfo session = activities.startSession(new SessionStart(projectId, "s-p0"), IGNORE);
        try {
            Thread.sleep(3_000);
            assertThat(docker(session, "ps", "--all", "--quiet")).isBlank();
            assertThat(bindSource).doesNotExist();
            assertThat(bindSource.getParent()).doesNotExist();
        } finally {
            activities.stopSession(new SessionStop("s-p0", true));
        }
    }

    @Test
    void failingOrMissingScriptKeepsThePreviousGenerationAndLeavesNoBuildDir() throws Exception {
        GoldenGeneration first = buildAndPromote("good", "docker info > /dev/null");
        Path golden = Path.of(first.path());
        String before = Commands.run(Duration.ofSeconds(30), "sh", "-c", "cd " + golden + " && find . | sort");

        GoldenBuildResult failed = build("bad", "echo going down; exit 3", true);

        assertThat(failed.ok()).isFalse();
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.outputTail()).contains("going down");
        assertThat(failed.stagingDir()).isNull();
        assertThat(activities.layout().build(projectId, "bad")).doesNotExist();
        assertThat(SessionDaemon.leftOver(activities.layout().daemon("build", "bad"),
                GoldenLayout.buildData(activities.layout().build(projectId, "bad")))).isFalse();
        assertThat(activities.current(projectId)).isEqualTo(first);
        assertThat(Commands.run(Duration.ofSeconds(30), "sh", "-c", "cd " + golden + " && find . | sort"))
                .isEqualTo(before);
        assertThatThrownBy(() -> activities.purge(projectId, "bad")).isInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("no staging dir");

        GoldenBuildResult missing = build("none", "  ", true);
        assertThat(missing.ok()).isFalse();
        assertThat(missing.failure()).contains("missing");
        assertThat(activities.layout().build(projectId, "none")).doesNotExist();

        GoldenBuildResult timedOut = activities.build(
                new GoldenBuildRequest(projectId, "slow", "sleep 600", 8, true), IGNORE);
        assertThat(timedOut.timedOut()).isTrue();
        assertThat(activities.layout().build(projectId, "slow")).doesNotExist();
        assertThat(activities.current(projectId)).isEqualTo(first);
    }

    @Test
    void cancelDuringTheScriptKillsTheScriptAndTheDaemonAndRemovesTheDir() throws Exception {
        Path marker = root.root.resolve("script-pid");
        String script = "echo $$ > " + marker + "; docker run -d kiln/minimal:latest sleep 1000; sleep 600";
        CopyOnWriteArrayList<GoldenProgress> beats = new CopyOnWriteArrayList<>();
        Consumer<GoldenProgress> cancelling = progress -> {
            beats.add(progress);
            if (progress.phase().equals(GoldenProgress.SCRIPT)
                    && beats.stream().filter(beat -> beat.phase().equals(GoldenProgress.SCRIPT)).count() > 6) {
                throw new ActivityCanceledException();
            }
        };

        assertThatThrownBy(() -> activities.build(new GoldenBuildRequest(projectId, "c1", script, 300, false),
                cancelling)).isInstanceOf(ActivityCanceledException.class);

        long scriptPid = Long.parseLong(Files.readString(marker).strip());
        assertThat(ProcessHandle.of(scriptPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(SessionDaemon.leftOver(activities.layout().daemon("build", "c1"),
                GoldenLayout.buildData(activities.layout().build(projectId, "c1")))).isFalse();
        assertThat(activities.layout().build(projectId, "c1")).doesNotExist();
    }

    @Test
    void cancelBuildFromAnotherActivityStopsTheRunningBuild() throws Exception {
        CompletableFuture<GoldenBuildResult> running = CompletableFuture.supplyAsync(() -> activities.build(
                new GoldenBuildRequest(projectId, "c2", "sleep 600", 300, false), IGNORE));
        Path buildDir = activities.layout().build(projectId, "c2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(buildDir.resolve("warmup.log")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(buildDir.resolve("warmup.log")).exists();

        activities.cancelBuild(projectId, "c2");

        GoldenBuildResult result = running.get(60, TimeUnit.SECONDS);
        assertThat(result.failure()).isEqualTo("cancelled");
        assertThat(buildDir).doesNotExist();
        assertThat(SessionDaemon.leftOver(activities.layout().daemon("build", "c2"),
                GoldenLayout.buildData(buildDir))).isFalse();
    }

    @Test
    void twoConcurrentSessionCopiesOfOneProjectReportTheirOwnProgress() throws Exception {
        GoldenTestRoot.writeSyntheticGolden(activities.layout(), projectId, 1, 200, 1_000_000);
        List<GoldenProgress> first = new CopyOnWriteArrayList<>();
        List<GoldenProgress> second = new CopyOnWriteArrayList<>();

        CompletableFuture<SessionInfo> a = CompletableFuture.supplyAsync(
                () -> activities.startSession(new SessionStart(projectId, "sa"), first::add));
        CompletableFuture<SessionInfo> b = CompletableFuture.supplyAsync(
                () -> activities.startSession(new SessionStart(projectId, "sb"), second::add));
        SessionInfo sessionA = a.get(120, TimeUnit.SECONDS);
        SessionInfo sessionB = b.get(120, TimeUnit.SECONDS);
        try {
            assertThat(sessionA.dataDir()).isNotEqualTo(sessionB.dataDir());
            assertThat(sessionA.socket()).isNotEqualTo(sessionB.socket());
            for (List<GoldenProgress> beats : List.of(first, second)) {
                List<GoldenProgress> copies = beats.stream()
                        .filter(beat -> beat.phase().equals(GoldenProgress.COPY)).toList();
                assertThat(copies.get(0).copiedBytes()).isZero();
                assertThat(copies.get(copies.size() - 1).copiedBytes())
                        .isEqualTo(copies.get(copies.size() - 1).totalBytes()).isGreaterThan(200_000_000);
                assertThat(copies).extracting(GoldenProgress::copiedBytes).isSorted();
            }
            assertThat(sessionA.totalBytes()).isEqualTo(sessionB.totalBytes());
            assertThat(Path.of(sessionA.dataDir()).resolve("overlay2/layer3/diff/file3")).isRegularFile();
            // Clear is refused only while a copy runs; both are done now.
            activities.clearGolden(projectId);
            assertThat(activities.current(projectId)).isNull();
        } finally {
            activities.stopSession(new SessionStop("sa", true));
            activities.stopSession(new SessionStop("sb", true));
        }
    }

    @Test
    void aSessionDirWithoutTheCopyMarkerIsCopiedAgainFromScratch() throws Exception {
        GoldenTestRoot.writeSyntheticGolden(activities.layout(), projectId, 1, 16, 100_000);
        Path sessionDir = activities.layout().session("crashed");
        Path data = GoldenLayout.sessionData(sessionDir);
        Files.createDirectories(data.resolve("overlay2/layer0/diff"));
        Files.writeString(data.resolve("overlay2/layer0/diff/half-copied"), "junk");
        Files.writeString(data.resolve("overlay2/layer0/diff/file0"), "truncated");

        SessionInfo session = activities.startSession(new SessionStart(projectId, "crashed"), IGNORE);
        try {
            assertThat(session.reused()).isFalse();
            assertThat(session.generation()).isEqualTo(1);
            assertThat(data.resolve("overlay2/layer0/diff/half-copied")).doesNotExist();
            assertThat(Files.size(data.resolve("overlay2/layer0/diff/file0"))).isEqualTo(100_000);
            assertThat(sessionDir.resolve(GoldenLayout.COPY_COMPLETE)).isRegularFile();
        } finally {
            activities.stopSession(new SessionStop("crashed", false));
        }
        // With the marker, a restart reuses the copy.
        Files.writeString(data.resolve("kept"), "x");
        SessionInfo again = activities.startSession(new SessionStart(projectId, "crashed"), IGNORE);
        try {
            assertThat(again.reused()).isTrue();
            assertThat(data.resolve("kept")).exists();
        } finally {
            activities.stopSession(new SessionStop("crashed", true));
        }
    }

    @Test
    void clearIsRefusedWhileASessionCopyRunsAndGcRemovesIdleSessions() throws Exception {
        GoldenTestRoot.writeSyntheticGolden(activities.layout(), projectId, 1, 100, 2_000_000);
        CompletableFuture<Void> clearDuringCopy = new CompletableFuture<>();
        SessionInfo session = activities.startSession(new SessionStart(projectId, "busy"), progress -> {
            if (progress.phase().equals(GoldenProgress.COPY) && !clearDuringCopy.isDone()) {
                try {
                    activities.clearGolden(projectId);
                    clearDuringCopy.complete(null);
                } catch (RuntimeException e) {
                    clearDuringCopy.completeExceptionally(e);
                }
            }
        });
        activities.stopSession(new SessionStop(session.sessionId(), false));
        assertThat(clearDuringCopy).isCompletedExceptionally();
        assertThatThrownBy(clearDuringCopy::join).hasRootCauseInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("GOLDEN_CONFLICT");
        assertThat(activities.current(projectId)).isNotNull();

        assertThat(activities.collectGarbage(Duration.ofDays(7)).sessionDirsRemoved()).isZero();
        assertThat(activities.collectGarbage(Duration.ofSeconds(-60)).sessionDirsRemoved()).isEqualTo(1);
        assertThat(activities.layout().session("busy")).doesNotExist();
    }
}
