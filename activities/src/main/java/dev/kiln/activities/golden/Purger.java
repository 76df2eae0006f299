package dev.kiln.activities.golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a stopped build daemon's data dir into something safe to hand to every new session.
 *
 * <p>Removed: {@code containers/} (their configs hold bind mounts into the build's workspace; a new session's
 * daemon would restart them and create missing bind sources as empty dirs, turning files such as go.mod into
 * directories: the reference's P0), {@code network/}, {@code containerd/}, {@code buildx/}, {@code volumes/}, any
 * marker or result file, and {@code image/overlay2/layerdb/mounts/} (the read-write layers of the containers just
 * removed; the reference kept them, pointing at layer dirs its prune then deleted).
 *
 * <p>Then the overlay2 prune: the layers images reference are the {@code cache-id} files under
 * {@code image/overlay2/layerdb/sha256/}; every other dir under {@code overlay2/} (container and init layers,
 * leftovers) goes, and so do the {@code overlay2/l} short links left broken. With no {@code cache-id} at all the
 * prune is skipped: an unreadable or foreign layer DB must not cost the whole golden.
 */
public final class Purger {

    static final List<String> REMOVED_DIRECTORIES = List.of("containers", "network", "containerd", "buildx", "volumes");
    static final List<String> REMOVED_FILES = List.of(
            ".golden-build-result", GoldenLayout.COPY_COMPLETE, GoldenLayout.LAST_ACTIVE, "golden-version.json");
    private static final Path CONTAINER_MOUNTS = Path.of("image", "overlay2", "layerdb", "mounts");
    private static final Path LAYER_DB = Path.of("image", "overlay2", "layerdb", "sha256");
    private static final String LAYERS = "overlay2";
    private static final String SHORT_LINKS = "l";

    /** What a purge removed. */
    public record Outcome(List<String> removedEntries, int prunedLayers, boolean pruneSkipped) {}

    private Purger() {}

    /** Idempotent: a second purge of the same dir removes nothing more. */
    public static Outcome purge(Path dataRoot) {
        if (!Files.isDirectory(dataRoot, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("not a directory: " + dataRoot);
        }
        List<String> removed = new ArrayList<>();
        for (String name : REMOVED_DIRECTORIES) {
            if (GoldenLayout.exists(dataRoot.resolve(name))) {
                Commands.removeTree(dataRoot.resolve(name));
                removed.add(name + "/");
            }
        }
        for (String name : REMOVED_FILES) {
            try {
                if (Files.deleteIfExists(dataRoot.resolve(name))) {
                    removed.add(name);
                }
            } catch (IOException e) {
                // Unlike the reference's warning: a result file promoted with the data would mislead every build after.
                throw new UncheckedIOException("removing " + dataRoot.resolve(name), e);
            }
        }
        if (GoldenLayout.exists(dataRoot.resolve(CONTAINER_MOUNTS))) {
            Commands.removeTree(dataRoot.resolve(CONTAINER_MOUNTS));
            removed.add(CONTAINER_MOUNTS + "/");
        }
        Set<String> referenced = referencedLayers(dataRoot);
        if (referenced.isEmpty()) {
            return new Outcome(List.copyOf(removed), 0, true);
        }
        int pruned = 0;
        Path layers = dataRoot.resolve(LAYERS);
        for (Path layer : list(layers)) {
            String name = layer.getFileName().toString();
            if (name.equals(SHORT_LINKS) || referenced.contains(name)) {
                continue;
            }
            Commands.removeTree(layer);
            pruned++;
        }
        for (Path link : list(layers.resolve(SHORT_LINKS))) {
            // Files.exists follows the link: false for one whose layer was just pruned.
            if (Files.isSymbolicLink(link) && !Files.exists(link)) {
                try {
                    Files.delete(link);
                } catch (IOException e) {
                    throw new UncheckedIOException("removing " + link, e);
                }
            }
        }
        return new Outcome(List.copyOf(removed), pruned, false);
    }

    /** Cache ids (overlay2 dir names) of every image layer. */
    static Set<String> referencedLayers(Path dataRoot) {
        Set<String> referenced = new HashSet<>();
        for (Path layer : list(dataRoot.resolve(LAYER_DB))) {
            Commands.readString(layer.resolve("cache-id")).filter(id -> !id.isEmpty()).ifPresent(referenced::add);
        }
        return referenced;
    }

    private static List<Path> list(Path directory) {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + directory, e);
        }
    }
}
