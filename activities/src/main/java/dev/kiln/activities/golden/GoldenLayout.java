package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Where golden caches, builds and sessions live under a host's state dir. Everything a project owns is on one
 * filesystem, so that promotion is a rename and copies can reflink:
 *
 * <pre>
 * root/projects/&lt;project&gt;/current              symlink to gen-&lt;n&gt;, swapped by rename
 * root/projects/&lt;project&gt;/gen-&lt;n&gt;/docker/        a promoted data dir, never modified in place
 * root/projects/&lt;project&gt;/gen-&lt;n&gt;/golden-version.json
 * root/projects/&lt;project&gt;/builds/&lt;build&gt;/data/  a build's data dir, purged there, renamed on promote
 * root/projects/&lt;project&gt;/builds/&lt;build&gt;/workspace/  the warm-up script's working dir
 * root/projects/&lt;project&gt;/results/&lt;build&gt;.json  how a build ended, for retries of the build activity
 * root/sessions/&lt;session&gt;/data/                  a session's copy, complete once .golden-copy-complete exists
 * root/run/&lt;key&gt;/                                a daemon's socket, exec root, pid file and log (short path)
 * </pre>
 *
 * <p>Result and marker files sit beside a data dir, never in it, so none can be promoted with the data (the
 * reference's leftover {@code .golden-build-result} let a later build promote before its script had run).
 */
public final class GoldenLayout {

    static final String COPY_COMPLETE = ".golden-copy-complete";
    static final String LAST_ACTIVE = ".last-active";
    static final String VERSION_FILE = "golden-version.json";
    static final String PURGED = "purged.json";
    private static final String GENERATION_PREFIX = "gen-";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;

    public GoldenLayout(Path root) {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Ids become path segments: anything but a plain name could escape the layout. */
    static String checkId(String kind, String id) {
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException(kind + " is not a plain id: " + id);
        }
        return id;
    }

    Path projects() {
        return root.resolve("projects");
    }

    Path project(String projectId) {
        return projects().resolve(checkId("projectId", projectId));
    }

    Path currentLink(String projectId) {
        return project(projectId).resolve("current");
    }

    Path generation(String projectId, long generation) {
        return project(projectId).resolve(GENERATION_PREFIX + generation);
    }

    static Path generationData(Path generationDir) {
        return generationDir.resolve("docker");
    }

    /** The generation the current pointer names, if any. */
    OptionalLong currentGeneration(String projectId) {
        Path link = currentLink(projectId);
        try {
            if (!Files.isSymbolicLink(link)) {
                return OptionalLong.empty();
            }
            return parseGeneration(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OptionalLong parseGeneration(String name) {
        if (!name.startsWith(GENERATION_PREFIX)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name.substring(GENERATION_PREFIX.length())));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Points {@code current} at the generation in one rename, so a reader sees the old or the new one. */
    void swapCurrent(String projectId, long generation) {
        Path link = currentLink(projectId);
        Path temporary = project(projectId).resolve("current.tmp");
        try {
            Files.deleteIfExists(temporary);
            Files.createSymbolicLink(temporary, Path.of(GENERATION_PREFIX + generation));
            Files.move(temporary, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("swapping the current golden of " + projectId, e);
        }
    }

    Path builds(String projectId) {
        return project(projectId).resolve("builds");
    }

    Path build(String projectId, String buildId) {
        return builds(projectId).resolve(checkId("buildId", buildId));
    }

    static Path buildData(Path buildDir) {
        return buildDir.resolve("data");
    }

    static Path buildWorkspace(Path buildDir) {
        return buildDir.resolve("workspace");
    }

    Path result(String projectId, String buildId) {
        return project(projectId).resolve("results").resolve(checkId("buildId", buildId) + ".json");
    }

    Path sessions() {
        return root.resolve("sessions");
    }

    Path session(String sessionId) {
        return sessions().resolve(checkId("sessionId", sessionId));
    }

    static Path sessionData(Path sessionDir) {
        return sessionDir.resolve("data");
    }

    Path runRoot() {
        return root.resolve("run");
    }

    /**
     * A daemon's runtime dir. Hashed to 10 hex digits: containerd's socket under the exec root must stay under the
     * 108-byte limit of a unix socket path, and the netns name is built from the same key.
     */
    DaemonPaths daemon(String kind, String id) {
        String key = shortKey(kind + "/" + id);
        return new DaemonPaths(key, runRoot().resolve(key), "kiln-" + key);
    }

    static String shortKey(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** A daemon's own paths: {@code netns} is at most 15 characters, like an interface name. */
    record DaemonPaths(String key, Path runDir, String netns) {
        Path socket() {
            return runDir.resolve("docker.sock");
        }

        String dockerHost() {
            return "unix://" + socket();
        }

        Path execRoot() {
            return runDir.resolve("x");
        }

        Path pidFile() {
            return runDir.resolve("docker.pid");
        }

        Path log() {
            return runDir.resolve("dockerd.log");
        }

        /** Containers of this daemon go into this cgroup (cgroupfs driver), so that its tasks can be found. */
        String cgroupParent() {
            return "kiln-" + key;
        }
    }

    static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }
}
