package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.workflows.golden.GoldenGeneration;
import dev.kiln.workflows.golden.GoldenPurgeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A project's generations on this host: purge of a build's staging dir, promote by rename, the current pointer,
 * and the copies reading a generation.
 *
 * <p>Readers and writers of a project's generations meet under a per-project lock held only for bookkeeping: a
 * copy registers the generation it reads before it starts, and a generation is deleted (by GC, promote or clear)
 * only when it is not current and nobody reads it. Generations are never modified after their rename, so a copy
 * that raced a promotion has read a whole, purged generation, old or new.
 */
final class GenerationStore {
    private final GoldenLayout layout;
    private final ParallelCopier copier;
    private final Clock clock;
    private final RunningBuilds builds;

    private final ConcurrentHashMap<String, Object> projectLocks = new ConcurrentHashMap<>();
    /** project -> generation -> copies reading it; guarded by the project's lock. */
    private final Map<String, Map<Long, Integer>> readers = new HashMap<>();

    GenerationStore(GoldenLayout layout, ParallelCopier copier, Clock clock, RunningBuilds builds) {
        this.layout = requireNonNull(layout, "layout is null");
        this.copier = requireNonNull(copier, "copier is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.builds = requireNonNull(builds, "builds is null");
    }

    /** The golden-version.json of a generation. */
    record VersionFile(String projectId, long generation, String buildId, long sizeBytes, long promotedAtMs) {
        GoldenGeneration toGeneration(Path generationDir) {
            return new GoldenGeneration(projectId, generation, buildId, sizeBytes,
                    GoldenLayout.generationData(generationDir).toString(), promotedAtMs);
        }
    }

    GoldenPurgeResult purge(String projectId, String buildId) {
        Path buildDir = layout.build(projectId, buildId);
        Path data = GoldenLayout.buildData(buildDir);
        if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
            Optional<GoldenGeneration> promoted = findGeneration(projectId, buildId);
            if (promoted.isPresent()) {
                return new GoldenPurgeResult(buildId, List.of(), 0, false, promoted.get().sizeBytes());
            }
            throw GoldenRefusal.notFound("build " + buildId + " of project " + projectId
                    + " has no staging dir on this host");
        }
        DaemonPaths paths = layout.daemon("build", buildId);
        if (builds.contains(buildId) || SessionDaemon.running(paths).isPresent()
                || !ProcFs.mountsUnder(data).isEmpty()) {
            throw GoldenRefusal.conflict("build " + buildId + " is still running; its daemon must exit before the"
                    + " purge");
        }
        Purger.Outcome outcome = Purger.purge(data);
        long size = Commands.apparentSize(data);
        GoldenPurgeResult result = new GoldenPurgeResult(buildId, outcome.removedEntries(), outcome.prunedLayers(),
                outcome.pruneSkipped(), size);
        GoldenFiles.writeJson(buildDir.resolve(GoldenLayout.PURGED), result);
        return result;
    }

    GoldenGeneration promote(String projectId, String buildId) {
        Path buildDir = layout.build(projectId, buildId);
        synchronized (projectLock(projectId)) {
            Optional<GoldenGeneration> promoted = findGeneration(projectId, buildId);
            if (promoted.isPresent()) {
                // A retry, possibly after a crash between the rename and the swap: finish the swap if needed.
                GoldenGeneration generation = promoted.get();
                if (layout.currentGeneration(projectId).orElse(0) < generation.generation()) {
                    layout.swapCurrent(projectId, generation.generation());
                }
                Commands.removeTree(buildDir);
                return generation;
            }
            Path data = GoldenLayout.buildData(buildDir);
            if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                throw GoldenRefusal.notFound("build " + buildId + " of project " + projectId
                        + " has no staging dir on this host");
            }
            if (!Files.isRegularFile(buildDir.resolve(GoldenLayout.PURGED))) {
                throw GoldenRefusal.conflict("build " + buildId + " must be purged before it is promoted");
            }
            long next = Math.max(layout.currentGeneration(projectId).orElse(0), highestGeneration(projectId)) + 1;
            Path generationDir = layout.generation(projectId, next);
            Path temporary = generationDir.resolveSibling(generationDir.getFileName() + ".tmp");
            try {
                Commands.removeTree(temporary);
                Files.createDirectories(temporary);
                Files.move(data, GoldenLayout.generationData(temporary), StandardCopyOption.ATOMIC_MOVE);
                long size = Commands.apparentSize(GoldenLayout.generationData(temporary));
                VersionFile version = new VersionFile(projectId, next, buildId, size, clock.millis());
                GoldenFiles.writeJson(temporary.resolve(GoldenLayout.VERSION_FILE), version);
                Files.move(temporary, generationDir, StandardCopyOption.ATOMIC_MOVE);
                layout.swapCurrent(projectId, next);
                Commands.removeTree(buildDir);
                removeUnreadGenerations(projectId);
                return version.toGeneration(generationDir);
            } catch (IOException e) {
                throw new UncheckedIOException("promoting build " + buildId + " of project " + projectId, e);
            }
        }
    }

    /** The project's current generation on this host, or null when it has none. */
    GoldenGeneration current(String projectId) {
        OptionalLong generation = layout.currentGeneration(projectId);
        if (generation.isEmpty()) {
            return null;
        }
        Path generationDir = layout.generation(projectId, generation.getAsLong());
        return GoldenFiles.readJson(generationDir.resolve(GoldenLayout.VERSION_FILE), VersionFile.class)
                .map(version -> version.toGeneration(generationDir))
                .orElse(null);
    }

    /**
     * Copies the project's current generation to {@code destination}; returns its number, or 0 (and copies
     * nothing) when the project has no golden. The generation is registered as read for the whole copy.
     */
    long copyCurrent(String projectId, Path destination, ParallelCopier.Progress progress) {
        long generation;
        synchronized (projectLock(projectId)) {
            OptionalLong current = layout.currentGeneration(projectId);
            if (current.isEmpty()) {
                return 0;
            }
            generation = current.getAsLong();
            readers.computeIfAbsent(projectId, id -> new HashMap<>()).merge(generation, 1, Integer::sum);
        }
        try {
            copier.copy(GoldenLayout.generationData(layout.generation(projectId, generation)), destination, progress);
            return generation;
        } finally {
            synchronized (projectLock(projectId)) {
                readers.get(projectId).merge(generation, -1, (a, b) -> a + b == 0 ? null : a + b);
            }
        }
    }

    /**
     * Runs {@code work} under the project's lock: no copy registers as a reader of the project's generations, and
     * none is promoted or removed, until it returns.
     */
    <T> T locked(String projectId, Supplier<T> work) {
        synchronized (projectLock(projectId)) {
            return work.get();
        }
    }

    /** True while a copy reads one of the project's generations. */
    boolean beingRead(String projectId) {
        synchronized (projectLock(projectId)) {
            return readers.getOrDefault(projectId, Map.of()).values().stream().anyMatch(count -> count > 0);
        }
    }

    /** Removes the current pointer: from then on a new copy sees no golden, even if removing generations fails. */
    void removeCurrentPointer(String projectId) {
        try {
            Files.deleteIfExists(layout.currentLink(projectId));
        } catch (IOException e) {
            throw new UncheckedIOException("removing the golden pointer of " + projectId, e);
        }
    }

    /** Generations neither current nor read, and half-made .tmp dirs, go; returns how many generations went. */
    int removeUnreadGenerations(String projectId) {
        synchronized (projectLock(projectId)) {
            long current = layout.currentGeneration(projectId).orElse(-1);
            Map<Long, Integer> reading = readers.getOrDefault(projectId, Map.of());
            int removed = 0;
            Path project = layout.project(projectId);
            if (!Files.isDirectory(project)) {
                return 0;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(project)) {
                entries = list.toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith("gen-") && name.endsWith(".tmp")) {
                    Commands.removeTree(entry);
                    continue;
                }
                OptionalLong generation = GoldenLayout.parseGeneration(name);
                if (generation.isEmpty() || generation.getAsLong() == current
                        || reading.getOrDefault(generation.getAsLong(), 0) > 0) {
                    continue;
                }
                Commands.removeTree(entry);
                removed++;
            }
            return removed;
        }
    }

    private Optional<GoldenGeneration> findGeneration(String projectId, String buildId) {
        for (Path generationDir : generationDirs(projectId)) {
            Optional<VersionFile> version = GoldenFiles.readJson(generationDir.resolve(GoldenLayout.VERSION_FILE),
                    VersionFile.class);
            if (version.isPresent() && buildId.equals(version.get().buildId())) {
                return Optional.of(version.get().toGeneration(generationDir));
            }
        }
        return Optional.empty();
    }

    private long highestGeneration(String projectId) {
        return generationDirs(projectId).stream()
                .map(dir -> GoldenLayout.parseGeneration(dir.getFileName().toString()))
                .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max().orElse(0);
    }

    private List<Path> generationDirs(String projectId) {
        Path project = layout.project(projectId);
        if (!Files.isDirectory(project)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(project)) {
            return entries.filter(path -> GoldenLayout.parseGeneration(path.getFileName().toString()).isPresent())
                    .filter(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object projectLock(String projectId) {
        return projectLocks.computeIfAbsent(projectId, id -> new Object());
    }
}
