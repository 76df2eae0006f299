package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.SessionInfo;
import dev.kiln.workflows.golden.SessionStart;
import dev.kiln.workflows.golden.SessionStop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Dev sessions on this host: each gets its own copy of the project's current golden, marked complete only once
 * whole, and its own daemon on that copy. A restart of a session whose copy is complete reuses it.
 */
final class SessionCopies {
    /** As for builds: dockerd gets 30 s to stop what runs in it before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String SESSION_FILE = "session.json";

    private final GoldenLayout layout;
    private final GenerationStore store;
    private final Clock clock;
    private final GoldenCopyListener copyListener;
    /** project -> session ids whose copy is running. */
    private final ConcurrentHashMap<String, Set<String>> copying = new ConcurrentHashMap<>();

    SessionCopies(GoldenLayout layout, GenerationStore store, Clock clock, GoldenCopyListener copyListener) {
        this.layout = requireNonNull(layout, "layout is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.copyListener = requireNonNull(copyListener, "copyListener is null");
    }

    /** Written beside a session's data dir when its copy is complete. */
    record CopyMarker(String projectId, long generation, long copiedBytes, long totalBytes, long completedAtMs) {}

    /** Written when a session dir is made, to tie it to its project. */
    record SessionFile(String projectId, String sessionId) {}

    /** Copies the golden unless an earlier start completed the copy, then starts the session's daemon. */
    SessionInfo start(SessionStart request, Consumer<GoldenProgress> heartbeat) {
        String projectId = GoldenLayout.checkId("projectId", request.projectId());
        String sessionId = GoldenLayout.checkId("sessionId", request.sessionId());
        Path sessionDir = layout.session(sessionId);
        Path data = GoldenLayout.sessionData(sessionDir);
        DaemonPaths paths = layout.daemon("session", sessionId);
        Optional<SessionFile> owner = GoldenFiles.readJson(sessionDir.resolve(SESSION_FILE), SessionFile.class);
        if (owner.isPresent() && !owner.get().projectId().equals(projectId)) {
            throw GoldenRefusal.conflict("session " + sessionId + " belongs to project " + owner.get().projectId());
        }
        Optional<CopyMarker> marker = GoldenFiles.readJson(sessionDir.resolve(GoldenLayout.COPY_COMPLETE),
                CopyMarker.class);
        boolean reused = marker.isPresent();
        if (marker.isPresent() && SessionDaemon.running(paths).isPresent()) {
            GoldenFiles.touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE), clock);
            return info(projectId, sessionId, marker.get(), paths, data, true);
        }
        SessionDaemon.tearDown(paths, data, STOP_GRACE);
        if (marker.isEmpty()) {
            // No marker: never started, or a copy cut short by a crash. Whatever is there is not trusted.
            marker = Optional.of(copy(projectId, sessionId, sessionDir, heartbeat));
        }
        heartbeat.accept(new GoldenProgress(GoldenProgress.START_DAEMON, 0, marker.get().copiedBytes(),
                marker.get().totalBytes(), 0, "Starting Docker"));
        SessionDaemon daemon = SessionDaemon.start(paths, data);
        try {
            daemon.awaitReady(READY_TIMEOUT, () -> {});
        } catch (RuntimeException e) {
            try {
                daemon.stop(STOP_GRACE);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        GoldenFiles.touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE), clock);
        return info(projectId, sessionId, marker.get(), paths, data, reused);
    }

    private CopyMarker copy(String projectId, String sessionId, Path sessionDir, Consumer<GoldenProgress> heartbeat) {
        Path data = GoldenLayout.sessionData(sessionDir);
        Set<String> sessions = copying.computeIfAbsent(projectId, id -> ConcurrentHashMap.newKeySet());
        sessions.add(sessionId);
        try {
            Commands.removeTree(sessionDir);
            Files.createDirectories(sessionDir);
            GoldenFiles.writeJson(sessionDir.resolve(SESSION_FILE), new SessionFile(projectId, sessionId));
            long[] sizes = new long[2];
            long copyStarted = System.nanoTime();
            long generation = store.copyCurrent(projectId, data, (copied, total) -> {
                sizes[0] = copied;
                sizes[1] = total;
                heartbeat.accept(new GoldenProgress(GoldenProgress.COPY, 0, copied, total, 0,
                        CopyProgressMessages.unpacking(copied, total)));
            });
            if (generation > 0) {
                copyListener.copied(sizes[0], Duration.ofNanos(System.nanoTime() - copyStarted));
            }
            Files.createDirectories(data);
            CopyMarker marker = new CopyMarker(projectId, generation, sizes[0], sizes[1], clock.millis());
            GoldenFiles.writeJson(sessionDir.resolve(GoldenLayout.COPY_COMPLETE), marker);
            return marker;
        } catch (IOException e) {
            GoldenFiles.removeQuietly(sessionDir, e);
            throw new UncheckedIOException("copying the golden of " + projectId + " for session " + sessionId, e);
        } catch (RuntimeException e) {
            // Cancelled or failed: a partial copy is never handed to a daemon (the reference bound it anyway).
            GoldenFiles.removeQuietly(sessionDir, e);
            throw e;
        } finally {
            sessions.remove(sessionId);
        }
    }

    private static SessionInfo info(String projectId, String sessionId, CopyMarker marker, DaemonPaths paths,
            Path data, boolean reused) {
        return new SessionInfo(projectId, sessionId, marker.generation(), marker.copiedBytes(), marker.totalBytes(),
                paths.dockerHost(), data.toString(), reused);
    }

    /** Stops the session's daemon and waits for it; removes the session's dir if asked, else marks it active. */
    void stop(SessionStop request) {
        String sessionId = GoldenLayout.checkId("sessionId", request.sessionId());
        Path sessionDir = layout.session(sessionId);
        SessionDaemon.tearDown(layout.daemon("session", sessionId), GoldenLayout.sessionData(sessionDir), STOP_GRACE);
        if (request.removeData()) {
            Commands.removeTree(sessionDir);
        } else if (Files.isDirectory(sessionDir)) {
            GoldenFiles.touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE), clock);
        }
    }

    /** Tears down a session that garbage collection found idle, and removes its dir. */
    void remove(Path sessionDir) {
        String sessionId = sessionDir.getFileName().toString();
        SessionDaemon.tearDown(layout.daemon("session", sessionId), GoldenLayout.sessionData(sessionDir), STOP_GRACE);
        Commands.removeTree(sessionDir);
    }

    /** True while the session's copy of the golden runs. */
    boolean copying(String sessionId) {
        return copying.values().stream().anyMatch(ids -> ids.contains(sessionId));
    }

    /** The sessions of the project whose copy runs now. */
    List<String> activeCopies(String projectId) {
        return new ArrayList<>(copying.getOrDefault(projectId, Set.of()));
    }
}
