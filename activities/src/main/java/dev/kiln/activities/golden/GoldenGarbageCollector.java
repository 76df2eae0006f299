package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.golden.GoldenGcResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes what nobody uses any more: a project's whole golden on request, and on the daily run idle session dirs,
 * build dirs left by crashes, and generations neither current nor being copied. Never anything a running build or
 * copy still reads.
 */
final class GoldenGarbageCollector {
    private final GoldenLayout layout;
    private final GenerationStore store;
    private final SessionCopies sessions;
    private final RunningBuilds builds;
    private final Clock clock;

    GoldenGarbageCollector(GoldenLayout layout, GenerationStore store, SessionCopies sessions, RunningBuilds builds,
            Clock clock) {
        this.layout = requireNonNull(layout, "layout is null");
        this.store = requireNonNull(store, "store is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Deletes every generation of the project here; refused while a session copy of it runs. */
    void clear(String projectId) {
        store.locked(projectId, () -> {
            if (!sessions.activeCopies(projectId).isEmpty() || store.beingRead(projectId)) {
                throw GoldenRefusal.conflict("a session copy of project " + projectId
                        + " is running on this host; clear it when the copy is done");
            }
            // The pointer first: from here on a new session sees no golden, even if a removal below fails.
            store.removeCurrentPointer(projectId);
            return store.removeUnreadGenerations(projectId);
        });
    }

    GoldenGcResult collect(Duration idle) {
        Instant cutoff = clock.instant().minus(idle);
        int sessionDirs = 0;
        for (Path sessionDir : GoldenFiles.directories(layout.sessions())) {
            String sessionId = sessionDir.getFileName().toString();
            boolean copying = sessions.copying(sessionId);
            if (copying || SessionDaemon.running(layout.daemon("session", sessionId)).isPresent()) {
                continue;
            }
            if (GoldenFiles.lastActive(sessionDir).isBefore(cutoff)) {
                sessions.remove(sessionDir);
                sessionDirs++;
            }
        }
        int generations = 0;
        int buildDirs = 0;
        for (Path project : GoldenFiles.directories(layout.projects())) {
            String projectId = project.getFileName().toString();
            for (Path buildDir : GoldenFiles.directories(layout.builds(projectId))) {
                String buildId = buildDir.getFileName().toString();
                if (!builds.contains(buildId) && GoldenFiles.lastActive(buildDir).isBefore(cutoff)) {
                    GoldenBuilder.cleanUp(layout.daemon("build", buildId), buildDir);
                    buildDirs++;
                }
            }
            generations += store.removeUnreadGenerations(projectId);
        }
        return new GoldenGcResult(sessionDirs, generations, buildDirs);
    }
}
