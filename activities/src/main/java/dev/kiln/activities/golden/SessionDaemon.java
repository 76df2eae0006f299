package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A build's or a session's own {@code dockerd}: its own data root, exec root, pid file and socket, in its own
 * network namespace. Privileged containers are refused on the hosts, so this replaces a Docker-in-Docker
 * container.
 *
 * <p>The flags follow the API tests' {@code HostDaemon}, which works on the CI machine: a second dockerd in the
 * machine's own network namespace would manage (and with {@code --bridge=none} delete) the host's {@code docker0};
 * {@code ip netns exec} remounts /sys without the cgroup mounts and dockerd then fails, so dockerd enters only the
 * network namespace, through nsenter. The bridge is made by hand inside the namespace and dockerd leaves iptables
 * alone, so nothing outside the namespace changes. Every namespace has its own bridge, so all use the same name
 * and subnet.
 *
 * <p>Everything the daemon leaves on the machine is found from its paths alone ({@link #tearDown}), so a retry
 * after a worker crash, which has no process handle, still cleans up: the dockerd of the pid file (only if its
 * command line names this daemon's dir), containerd and its shims, the containers' tasks (their cgroup parent is
 * the daemon's own), mounts, the netns and the runtime dir.
 */
public final class SessionDaemon {

    private static final String BRIDGE = "kbr0";
    private static final String BRIDGE_ADDRESS = "10.214.0.1/24";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** Where containerd 1.6 puts shim sockets: outside the exec root, so they are removed by name. */
    private static final Path SHIM_SOCKETS = Path.of("/run/containerd/s");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private final DaemonPaths paths;
    private final Path dataRoot;
    private final Process process;

    private SessionDaemon(DaemonPaths paths, Path dataRoot, Process process) {
        this.paths = paths;
        this.dataRoot = dataRoot;
        this.process = process;
    }

    /**
     * Starts dockerd on {@code dataRoot} without waiting for it to answer; {@link #awaitReady} waits. Anything a
     * previous daemon of the same paths left is removed first; whatever this call made is removed again if it
     * fails.
     */
    public static SessionDaemon start(DaemonPaths paths, Path dataRoot) {
        requireNonNull(paths, "paths is null");
        requireNonNull(dataRoot, "dataRoot is null");
        tearDown(paths, dataRoot, Duration.ofSeconds(30));
        try {
            Files.createDirectories(paths.runDir());
            Files.createDirectories(dataRoot);
            Files.writeString(paths.runDir().resolve("netns"), paths.netns());
            Files.writeString(paths.runDir().resolve("data-root"), dataRoot.toString());
            // Its own empty config: a daemon.json of the machine's could set a bridge, hosts or a data root.
            Files.writeString(paths.runDir().resolve("daemon.json"), "{}");
            Commands.run(COMMAND_TIMEOUT, "ip", "netns", "add", paths.netns());
            inNamespace(paths, "ip", "link", "set", "lo", "up");
            inNamespace(paths, "ip", "link", "add", "name", BRIDGE, "type", "bridge");
            inNamespace(paths, "ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE);
            inNamespace(paths, "ip", "link", "set", BRIDGE, "up");
            Process process = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + paths.netns(),
                    "/usr/sbin/dockerd",
                    "--config-file", paths.runDir().resolve("daemon.json").toString(),
                    "--data-root", dataRoot.toString(),
                    "--exec-root", paths.execRoot().toString(),
                    "--pidfile", paths.pidFile().toString(),
                    "-H", paths.dockerHost(),
                    "--bridge=" + BRIDGE,
                    "--iptables=false", "--ip-masq=false", "--ip-forward=false",
                    // The golden is read back by another daemon: the driver must not depend on detection.
                    "--storage-driver=overlay2",
                    "--cgroup-parent=" + paths.cgroupParent(),
                    "--shutdown-timeout=5")
                    .redirectErrorStream(true)
                    .redirectOutput(paths.log().toFile())
                    .start();
            return new SessionDaemon(paths, dataRoot, process);
        } catch (IOException | RuntimeException e) {
            RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                    : new UncheckedIOException("starting dockerd in " + paths.runDir(), (IOException) e);
            try {
                tearDown(paths, dataRoot, Duration.ofSeconds(30));
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private static void inNamespace(DaemonPaths paths, String... command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + paths.netns()));
        full.addAll(List.of(command));
        Commands.run(COMMAND_TIMEOUT, full.toArray(String[]::new));
    }

    /** Waits until the daemon answers {@code docker info}, failing early with its log if it exits instead. */
    public void awaitReady(Duration timeout, Runnable onPoll) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Commands.exec(List.of("docker", "-H", paths.dockerHost(), "info", "--format", "{{.ID}}"),
                Duration.ofSeconds(30)).ok()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("dockerd in " + paths.runDir() + " did not answer within " + timeout
                        + " (alive: " + process.isAlive() + "); its log:\n" + logTail(paths));
            }
            onPoll.run();
            sleep(Duration.ofMillis(250));
        }
    }

    public DaemonPaths paths() {
        return paths;
    }

    public Path dataRoot() {
        return dataRoot;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the daemon (SIGTERM, wait for exit, then SIGKILL) and removes everything it made but its data root. */
    public void stop(Duration grace) {
        tearDown(paths, dataRoot, grace);
    }

    /** The dockerd of these paths, if one runs: the pid file's process, if its command line names the run dir. */
    static Optional<ProcessHandle> running(DaemonPaths paths) {
        return Commands.readLong(paths.pidFile()).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> ProcFs.commandLine(handle.pid()).contains(paths.runDir().toString()));
    }

    /**
     * Stops and removes whatever a daemon of these paths left, with or without a process handle: safe to call
     * when nothing runs. The data root is left for the caller; everything else goes. Every step runs even when an
     * earlier one failed; the failures are thrown together at the end.
     */
    static void tearDown(DaemonPaths paths, Path dataRoot, Duration grace) {
        List<String> problems = new ArrayList<>();
        running(paths).ifPresent(handle -> stop(handle, grace, problems));
        // Left by a dockerd that was killed: containerd dies with it, its shims and the containers' tasks do not.
        List<Path> cgroups = cgroupDirs(paths.cgroupParent());
        for (long pid : cgroupProcesses(cgroups)) {
            ProcessHandle.of(pid).ifPresent(handle -> kill(handle, problems));
        }
        for (long pid : ProcFs.processesMentioning(paths.runDir())) {
            ProcessHandle.of(pid).ifPresent(handle -> kill(handle, problems));
        }
        for (String container : containerIds(dataRoot)) {
            deleteQuietly(shimSocket(paths.execRoot(), container));
        }
        removeCgroups(cgroups);
        List<String> mounts = new ArrayList<>(ProcFs.mountsUnder(paths.runDir()));
        mounts.addAll(ProcFs.mountsUnder(dataRoot));
        for (String mount : mounts) {
            Commands.Result result = Commands.exec(List.of("umount", "-l", mount), COMMAND_TIMEOUT);
            if (!result.ok()) {
                problems.add("umount " + mount + ": " + result.output().strip());
            }
        }
        if (!ProcFs.mountsUnder(paths.runDir()).isEmpty()) {
            problems.add("still mounted, so not deleted: " + ProcFs.mountsUnder(paths.runDir()));
        } else {
            try {
                Commands.removeTree(paths.runDir());
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (Files.exists(Path.of("/var/run/netns", paths.netns()))) {
            Commands.Result result = Commands.exec(List.of("ip", "netns", "delete", paths.netns()), COMMAND_TIMEOUT);
            if (!result.ok()) {
                problems.add("ip netns delete " + paths.netns() + ": " + result.output().strip());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("daemon " + paths.runDir() + " was not fully removed: " + problems);
        }
    }

    /** Fails if anything of the daemon is still running or mounted; for checks after a stop. */
    static boolean leftOver(DaemonPaths paths, Path dataRoot) {
        return running(paths).isPresent()
                || !ProcFs.processesMentioning(paths.runDir()).isEmpty()
                || !cgroupProcesses(cgroupDirs(paths.cgroupParent())).isEmpty()
                || Files.exists(Path.of("/var/run/netns", paths.netns()))
                || !ProcFs.mountsUnder(dataRoot).isEmpty()
                || Files.exists(paths.runDir());
    }

    static String logTail(DaemonPaths paths) {
        try {
            String log = Files.readString(paths.log());
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void stop(ProcessHandle handle, Duration grace, List<String> problems) {
        handle.destroy();
        try {
            try {
                handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
                handle.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            // Finish the stop anyway: a caller being cancelled must not leave a daemon behind.
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            problems.add("process " + handle.pid() + " did not exit: " + e);
        }
        // onExit fires for a non-child when /proc says so; wait for the pid to be gone from /proc too.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(Path.of("/proc", Long.toString(handle.pid()))) && handle.isAlive()
                && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50));
        }
    }

    static void kill(ProcessHandle handle, List<String> problems) {
        handle.destroyForcibly();
        try {
            handle.onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            problems.add("process " + handle.pid() + " did not die: " + e);
        }
    }

    private static List<String> containerIds(Path dataRoot) {
        try (Stream<Path> containers = Files.list(dataRoot.resolve("containers"))) {
            return containers.map(path -> path.getFileName().toString()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The daemon's cgroup parent in every controller (cgroup v1) or in the unified hierarchy (v2), and every
     * cgroup below it, deepest first.
     */
    static List<Path> cgroupDirs(String parent) {
        List<Path> tops = new ArrayList<>();
        try (Stream<Path> controllers = Files.list(CGROUPS)) {
            controllers.map(controller -> controller.resolve(parent)).filter(Files::isDirectory).forEach(tops::add);
        } catch (IOException e) {
            return List.of();
        }
        if (Files.isDirectory(CGROUPS.resolve(parent))) {
            tops.add(CGROUPS.resolve(parent));
        }
        List<Path> all = new ArrayList<>();
        for (Path top : tops) {
            try (Stream<Path> tree = Files.walk(top)) {
                tree.filter(Files::isDirectory).forEach(all::add);
            } catch (IOException | UncheckedIOException e) {
                // removed meanwhile
            }
        }
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return all;
    }

    static List<Long> cgroupProcesses(List<Path> cgroups) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path directory : cgroups) {
            try {
                Files.readAllLines(directory.resolve("cgroup.procs")).stream()
                        .filter(line -> !line.isBlank()).map(String::strip).map(Long::parseLong).forEach(pids::add);
            } catch (IOException | NumberFormatException e) {
                // gone meanwhile, or a controller without the file
            }
        }
        return List.copyOf(pids);
    }

    private static void removeCgroups(List<Path> cgroups) {
        for (Path directory : cgroups) {
            try {
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                // a cgroup with a task still exiting; harmless and removed by the next teardown
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a stale socket harms nothing
        }
    }

    /**
     * The shim socket containerd makes for a container of the dockerd with this exec root; a killed daemon leaves it
     * behind. This code runs on hosts, which do not carry kiln-api's classes (dev.kiln.db), so it hashes by itself.
     */
    public static Path shimSocket(Path execRoot, String containerId) {
        String address = execRoot.resolve("containerd").resolve("containerd.sock") + "/moby/" + containerId;
        try {
            return SHIM_SOCKETS.resolve(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(address.getBytes(UTF_8))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
