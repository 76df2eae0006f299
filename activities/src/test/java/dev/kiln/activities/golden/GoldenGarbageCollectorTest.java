package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.golden.GoldenGcResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Clear and the daily collection on dirs made by hand: no daemon, no Docker. */
class GoldenGarbageCollectorTest {
    private static final String PROJECT = "prj-1";

    private GoldenTestRoot root;
    private GoldenLayout layout;
    private RunningBuilds builds;
    private GenerationStore store;
    private GoldenGarbageCollector garbage;

    @BeforeEach
    void createRoot() throws IOException {
        root = new GoldenTestRoot();
        layout = new GoldenLayout(root.root);
        builds = new RunningBuilds();
        store = new GenerationStore(layout, new ParallelCopier(2, Duration.ofMillis(50)), Clock.systemUTC(), builds);
        SessionCopies sessions = new SessionCopies(layout, store, Clock.systemUTC(), GoldenCopyListener.NONE);
        garbage = new GoldenGarbageCollector(layout, store, sessions, builds, Clock.systemUTC());
    }

    @AfterEach
    void removeRoot() {
        root.close();
    }

    @Test
    void clearIsRefusedWhileACopyReadsTheGoldenAndRemovesEveryGenerationAfter() throws IOException {
        GoldenTestRoot.writeSyntheticGolden(layout, PROJECT, 1, 4, 1_000);
        Path destination = root.root.resolve("copy");

        store.copyCurrent(PROJECT, destination, (copied, total) ->
                assertThatThrownBy(() -> garbage.clear(PROJECT)).isInstanceOfSatisfying(GoldenRefusal.class,
                        refusal -> assertThat(refusal.type()).isEqualTo(FailureType.GOLDEN_CONFLICT)));
        assertThat(store.current(PROJECT)).isNotNull();

        garbage.clear(PROJECT);

        assertThat(store.current(PROJECT)).isNull();
        assertThat(layout.generation(PROJECT, 1)).doesNotExist();
    }

    @Test
    void collectionRemovesIdleSessionAndBuildDirsButNotARunningBuildsOrRecentOnes() throws IOException {
        Path idleSession = Files.createDirectories(layout.session("idle"));
        Path recentSession = Files.createDirectories(layout.session("recent"));
        Path crashedBuild = Files.createDirectories(layout.build(PROJECT, "crashed"));
        Path runningBuild = Files.createDirectories(layout.build(PROJECT, "running"));
        Instant weekAgo = Instant.now().minus(Duration.ofDays(8));
        for (Path dir : new Path[] {idleSession, crashedBuild, runningBuild}) {
            Files.setLastModifiedTime(dir, FileTime.from(weekAgo));
        }
        RunningBuilds.RunningBuild running = builds.register("running");
        GoldenGcResult result;
        try {
            result = garbage.collect(Duration.ofDays(7));
        } finally {
            builds.finished("running", running);
        }

        assertThat(result.sessionDirsRemoved()).isEqualTo(1);
        assertThat(result.buildDirsRemoved()).isEqualTo(1);
        assertThat(idleSession).doesNotExist();
        assertThat(crashedBuild).doesNotExist();
        assertThat(recentSession).isDirectory();
        assertThat(runningBuild).isDirectory();
    }
}
