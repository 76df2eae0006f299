package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Purge on a data dir laid out by hand like dockerd's. */
class PurgerTest {

    private Path data;

    @BeforeEach
    void createDataDir() throws IOException {
        data = Files.createTempDirectory("kiln-purge-");
    }

    @AfterEach
    void removeDataDir() {
        Commands.removeTree(data);
    }

    @Test
    void purgeRemovesContainerStateAndMarkersAndPrunesUnreferencedLayers() throws IOException {
        for (String directory : Purger.REMOVED_DIRECTORIES) {
            Files.createDirectories(data.resolve(directory).resolve("something"));
        }
        Files.writeString(data.resolve(".golden-build-result"), "0");
        Files.writeString(data.resolve(".golden-copy-complete"), "x");
        Files.createDirectories(data.resolve("image/overlay2/layerdb/mounts/c1"));
        Path layerDb = Files.createDirectories(data.resolve("image/overlay2/layerdb/sha256/abc"));
        Files.writeString(layerDb.resolve("cache-id"), "kept");
        Files.createDirectories(data.resolve("overlay2/kept/diff"));
        Files.createDirectories(data.resolve("overlay2/container/diff"));
        Files.createDirectories(data.resolve("overlay2/container-init/diff"));
        Files.createDirectories(data.resolve("overlay2/l"));
        Files.createSymbolicLink(data.resolve("overlay2/l/KEPT"), Path.of("../kept/diff"));
        Files.createSymbolicLink(data.resolve("overlay2/l/GONE"), Path.of("../container/diff"));
        Files.createDirectories(data.resolve("tmp"));
        Files.writeString(data.resolve("engine-id"), "id");

        Purger.Outcome outcome = Purger.purge(data);

        assertThat(outcome.pruneSkipped()).isFalse();
        assertThat(outcome.prunedLayers()).isEqualTo(2);
        for (String directory : Purger.REMOVED_DIRECTORIES) {
            assertThat(data.resolve(directory)).doesNotExist();
        }
        assertThat(data.resolve(".golden-build-result")).doesNotExist();
        assertThat(data.resolve(".golden-copy-complete")).doesNotExist();
        assertThat(data.resolve("image/overlay2/layerdb/mounts")).doesNotExist();
        assertThat(data.resolve("overlay2/kept/diff")).isDirectory();
        assertThat(data.resolve("overlay2/container")).doesNotExist();
        assertThat(data.resolve("overlay2/container-init")).doesNotExist();
        assertThat(data.resolve("overlay2/l/KEPT")).isSymbolicLink();
        assertThat(Files.isSymbolicLink(data.resolve("overlay2/l/GONE"))).isFalse();
        assertThat(data.resolve("tmp")).isDirectory();
        assertThat(data.resolve("engine-id")).isRegularFile();
        assertThat(data.resolve("image/overlay2/layerdb/sha256/abc/cache-id")).isRegularFile();

        Purger.Outcome again = Purger.purge(data);
        assertThat(again.removedEntries()).isEmpty();
        assertThat(again.prunedLayers()).isZero();
    }

    @Test
    void pruneIsSkippedWhenTheLayerDbIsEmpty() throws IOException {
        Files.createDirectories(data.resolve("overlay2/some-layer/diff"));
        Files.createDirectories(data.resolve("containers/c1"));

        Purger.Outcome outcome = Purger.purge(data);

        assertThat(outcome.pruneSkipped()).isTrue();
        assertThat(outcome.removedEntries()).containsExactly("containers/");
        assertThat(data.resolve("overlay2/some-layer/diff")).isDirectory();
    }
}
