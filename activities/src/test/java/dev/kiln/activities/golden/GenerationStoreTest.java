package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.golden.GoldenGeneration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Purge, promote and readers on staging dirs made by hand: no daemon, no Docker. */
class GenerationStoreTest {
    private static final String PROJECT = "prj-1";

    private GoldenTestRoot root;
    private GoldenLayout layout;
    private RunningBuilds builds;
    private GenerationStore store;

    @BeforeEach
    void createRoot() throws IOException {
        root = new GoldenTestRoot();
        layout = new GoldenLayout(root.root);
        builds = new RunningBuilds();
        store = new GenerationStore(layout, new ParallelCopier(2, Duration.ofMillis(50)), Clock.systemUTC(), builds);
    }

    @AfterEach
    void removeRoot() {
        root.close();
    }

    @Test
    void purgeThenPromoteMakesEachBuildTheNextCurrentGenerationAndRemovesTheOldOne() throws IOException {
        GoldenGeneration first = stageAndPromote("b1", "one");
        GoldenGeneration second = stageAndPromote("b2", "two");

        assertThat(first.generation()).isEqualTo(1);
        assertThat(second.generation()).isEqualTo(2);
        assertThat(store.current(PROJECT)).isEqualTo(second);
        assertThat(Files.readString(Path.of(second.path()).resolve("file"))).isEqualTo("two");
        assertThat(layout.generation(PROJECT, 1)).doesNotExist();
        assertThat(layout.build(PROJECT, "b2")).doesNotExist();
        // A retry after a lost response answers with the same generation and promotes nothing new.
        assertThat(store.promote(PROJECT, "b2")).isEqualTo(second);
        assertThat(store.purge(PROJECT, "b2").sizeBytes()).isEqualTo(second.sizeBytes());
    }

    @Test
    void promoteBeforePurgeAndPurgeWithoutAStagingDirAreRefusedByType() throws IOException {
        stage("b1", "one");

        assertThatThrownBy(() -> store.promote(PROJECT, "b1")).isInstanceOfSatisfying(GoldenRefusal.class,
                refusal -> assertThat(refusal.type()).isEqualTo(FailureType.GOLDEN_CONFLICT));
        assertThatThrownBy(() -> store.purge(PROJECT, "nope")).isInstanceOfSatisfying(GoldenRefusal.class,
                refusal -> {
                    assertThat(refusal.type()).isEqualTo(FailureType.NOT_FOUND);
                    assertThat(refusal).hasMessageContaining("no staging dir");
                });
        assertThat(store.current(PROJECT)).isNull();
    }

    @Test
    void aBuildStillRegisteredAsRunningIsNotPurged() throws IOException {
        stage("b1", "one");
        RunningBuilds.RunningBuild running = builds.register("b1");
        try {
            assertThatThrownBy(() -> store.purge(PROJECT, "b1")).isInstanceOfSatisfying(GoldenRefusal.class,
                    refusal -> assertThat(refusal.type()).isEqualTo(FailureType.GOLDEN_CONFLICT));
        } finally {
            builds.finished("b1", running);
        }
        assertThat(store.purge(PROJECT, "b1").pruneSkipped()).isTrue();
    }

    @Test
    void aGenerationBeingCopiedOutlivesAPromotionAndGoesOnceTheCopyEnds() throws IOException {
        stageAndPromote("b1", "one");
        AtomicBoolean promotedDuringCopy = new AtomicBoolean();
        Path destination = root.root.resolve("copy");

        long copied = store.copyCurrent(PROJECT, destination, (bytes, total) -> {
            if (!promotedDuringCopy.getAndSet(true)) {
                assertThat(store.beingRead(PROJECT)).isTrue();
                stageAndPromoteUnchecked("b2", "two");
                assertThat(layout.generation(PROJECT, 1)).as("still read by the copy").isDirectory();
            }
        });

        assertThat(copied).isEqualTo(1);
        assertThat(Files.readString(destination.resolve("file"))).isEqualTo("one");
        assertThat(store.beingRead(PROJECT)).isFalse();
        assertThat(store.removeUnreadGenerations(PROJECT)).isEqualTo(1);
        assertThat(layout.generation(PROJECT, 1)).doesNotExist();
        assertThat(store.current(PROJECT).generation()).isEqualTo(2);
    }

    @Test
    void withoutAGoldenACopyCopiesNothing() {
        Path destination = root.root.resolve("copy");

        assertThat(store.copyCurrent(PROJECT, destination, (bytes, total) -> {})).isZero();
        assertThat(destination).doesNotExist();
    }

    private void stage(String buildId, String content) throws IOException {
        Path data = Files.createDirectories(GoldenLayout.buildData(layout.build(PROJECT, buildId)));
        Files.createDirectories(data.resolve("containers/abc"));
        Files.writeString(data.resolve("file"), content);
    }

    private GoldenGeneration stageAndPromote(String buildId, String content) throws IOException {
        stage(buildId, content);
        assertThat(store.purge(PROJECT, buildId).removedEntries()).contains("containers/");
        return store.promote(PROJECT, buildId);
    }

    private void stageAndPromoteUnchecked(String buildId, String content) {
        try {
            stageAndPromote(buildId, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
