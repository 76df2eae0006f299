package dev.kiln.api;

import dev.kiln.activities.golden.ProcFs;
import dev.kiln.activities.golden.SessionDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Docker daemon of its own for one simulated host, so that several kiln-hosts on one machine each drive a
 * separate engine: dockerd in a fresh network namespace, with a data root, exec root, socket and bridge nobody else
 * uses.
 *
 * <p>Traps this avoids, all seen on the CI machine: a second dockerd in the machine's own network namespace manages
 * (and with {@code --bridge=none} deletes) the machine's {@code docker0}, breaking every other container; {@code ip
 * netns exec} also gives the command a mount namespace without the cgroup mounts, and dockerd then fails ("Devices
 * cgroup isn't mounted"), so dockerd enters only the network namespace, through nsenter. Its bridge is made by hand
 * inside the namespace and dockerd told to leave iptables, masquerading and forwarding alone: it then has nothing
 * outside the namespace to change even if the bridge settings were wrong.
 *
 * <p>Everything a daemon leaves on the machine is found from its directory, so {@link #close} (and, after a run that
 * was killed outright, {@link #sweepAbandoned}) removes it even when dockerd died by SIGKILL: the containers'
 * processes and cgroups, containerd's shims and their sockets, the mounts under the directory, the directory and
 * the namespace.
 */
final class HostDaemon implements AutoCloseable {
    private static final Path FLEET_PARENT = Path.of("/tmp");
    private static final String DIRECTORY_PREFIX = "kiln-fleet-";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Where containerd 1.6 puts shim sockets: outside the exec root, so they are removed by name. */
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    /** Daemons not yet closed: the shutdown hook closes them when a run ends without reaching its teardown. */
    private static final Set<HostDaemon> LIVE = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(HostDaemon::closeAllLive, "kiln-fleet-teardown"));
    }

    private final int index;
    private final String namespace;
    /** Short on purpose: the sockets below it must stay under the 108-byte limit of a unix socket path. */
    private final Path root;
    private Process process;
    private boolean closed;

    private HostDaemon(int index, String namespace, Path root) {
        this.index = index;
        this.namespace = namespace;
        this.root = root;
    }

    /**
     * Starts daemon number {@code index} (1 to 250; it names the bridge and its subnet) without waiting for it to
     * answer; {@link #awaitReady} waits. Whatever was made before a failure is removed again.
     */
    static HostDaemon start(int index) throws IOException, InterruptedException {
        if (index < 1 || index > 250) {
            throw new IllegalArgumentException("index must be 1 to 250: " + index);
        }
        Path root = Files.createTempDirectory(FLEET_PARENT, DIRECTORY_PREFIX);
        String namespace = "kiln-it-" + index + "-" + UUID.randomUUID().toString().substring(0, 8);
        HostDaemon daemon = new HostDaemon(index, namespace, root);
        synchronized (LIVE) {
            LIVE.add(daemon);
        }
        try {
            daemon.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                daemon.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return daemon;
    }

    private void launch() throws IOException, InterruptedException {
        // Written first, so that a later run can clean up after this one should this JVM be killed outright.
        Files.writeString(root.resolve("owner"), Long.toString(ProcessHandle.current().pid()));
        Files.writeString(root.resolve("netns"), namespace);
        Files.writeString(root.resolve("daemon.json"), "{}");
        Commands.require("ip", "netns", "add", namespace);
        String bridge = bridge();
        Commands.require("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        Commands.require("ip", "netns", "exec", namespace, "ip", "link", "add", "name", bridge, "type", "bridge");
        Commands.require("ip", "netns", "exec", namespace, "ip", "addr", "add", "10.213." + index + ".1/24", "dev", bridge);
        Commands.require("ip", "netns", "exec", namespace, "ip", "link", "set", bridge, "up");
        startDockerd();
    }

    /** Appends to its log, so that a restarted daemon's log still shows why it went down. */
    private void startDockerd() throws IOException {
        process = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + namespace, "/usr/sbin/dockerd",
                // Its own empty config file: a daemon.json of the machine's could set a bridge, hosts or a data root.
                "--config-file", root.resolve("daemon.json").toString(),
                "--data-root", dataRoot().toString(),
                "--exec-root", execRoot().toString(),
                "--pidfile", root.resolve("docker.pid").toString(),
                "-H", dockerHost(),
                "--bridge=" + bridge(),
                "--iptables=false", "--ip-masq=false", "--ip-forward=false",
                "--shutdown-timeout=5")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("dockerd.log").toFile()))
                .start();
    }

    /** Waits until the daemon answers {@code docker info}, failing early with its log if it exits instead. */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (docker("info", "--format", "{{.ID}}").exitCode() != 0) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("dockerd " + index + " did not answer within " + READY_TIMEOUT
                        + " (alive: " + process.isAlive() + "); its log:\n" + dockerdLog());
            }
            Thread.sleep(250);
        }
    }

    String dockerHost() {
        return "unix://" + root.resolve("docker.sock");
    }

    String namespace() {
        return namespace;
    }

    /** The docker CLI against this daemon. */
    Commands.Result docker(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "-H", dockerHost()));
        command.addAll(List.of(arguments));
        return Commands.run(command);
    }

    boolean hasImage(String imageRef) throws IOException, InterruptedException {
        return docker("image", "inspect", "--format", "{{.Id}}", imageRef).exitCode() == 0;
    }

    /** Containers of every state, running or not. */
    int containerCount() throws IOException, InterruptedException {
        Commands.Result listed = docker("ps", "--all", "--quiet");
        if (listed.exitCode() != 0) {
            throw new IllegalStateException("docker ps on daemon " + index + " failed: " + listed.output());
        }
        return (int) listed.output().lines().filter(line -> !line.isBlank()).count();
    }

    /** SIGKILL: the engine dies as on a crashed machine; {@link #close} still cleans up after it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Restarts dockerd as an operator would: SIGTERM, which stops every container (killing what outlives the
     * shutdown timeout), then the same daemon again on the same data root, namespace and bridge. Images survive;
     * containers are left exited, as none has a restart policy. Returns once the daemon answers again.
     */
    synchronized void restart() throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("daemon " + index + " is closed");
        }
        List<String> problems = new ArrayList<>();
        stop(process.toHandle(), problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("dockerd " + index + " did not stop: " + problems);
        }
        startDockerd();
        awaitReady();
    }

    /**
     * Stops dockerd (SIGTERM, then SIGKILL) and removes everything it made; safe to call more than once. Every
     * step runs even when an earlier one failed; the failures are thrown together at the end.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = new ArrayList<>();
        Optional<ProcessHandle> dockerd = process != null ? Optional.of(process.toHandle()) : Optional.empty();
        tearDown(root, namespace, dockerd, problems);
        synchronized (LIVE) {
            LIVE.remove(this);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("daemon " + index + " in " + root + " was not fully removed: " + problems);
        }
    }

    /**
     * Cleans up after earlier runs whose JVM was killed before its teardown or shutdown hook could run: directories
     * whose owner process is gone. A directory of a run still going (its owner alive) is left alone.
     */
    static void sweepAbandoned() throws IOException {
        List<Path> abandoned = new ArrayList<>();
        try (DirectoryStream<Path> fleets = Files.newDirectoryStream(FLEET_PARENT, DIRECTORY_PREFIX + "*")) {
            for (Path root : fleets) {
                Optional<Long> owner = readLong(root.resolve("owner"));
                if (owner.isPresent() && ProcessHandle.of(owner.get()).filter(ProcessHandle::isAlive).isEmpty()) {
                    abandoned.add(root);
                }
            }
        }
        for (Path root : abandoned) {
            List<String> problems = new ArrayList<>();
            String namespace = readString(root.resolve("netns")).orElse(null);
            // The pid file may name a process that reused the number: only a dockerd of this directory is stopped.
            Optional<ProcessHandle> dockerd = readLong(root.resolve("docker.pid")).flatMap(ProcessHandle::of)
                    .filter(handle -> ProcFs.commandLine(handle.pid()).contains(root.toString()));
            tearDown(root, namespace, dockerd, problems);
            if (!problems.isEmpty()) {
                System.err.println("could not fully remove the abandoned daemon in " + root + ": " + problems);
            }
        }
    }

    private static void closeAllLive() {
        List<HostDaemon> daemons;
        synchronized (LIVE) {
            daemons = List.copyOf(LIVE);
        }
        for (HostDaemon daemon : daemons) {
            try {
                daemon.close();
            } catch (RuntimeException e) {
                System.err.println(e.getMessage());
            }
        }
    }

    private static void tearDown(Path root, String namespace, Optional<ProcessHandle> dockerd, List<String> problems) {
        Path dataRoot = root.resolve("d");
        Path execRoot = root.resolve("x");
        dockerd.ifPresent(handle -> stop(handle, problems));
        // Left by a dockerd that was killed: containerd dies with it, its shims and the containers' processes do not.
        List<String> containers = containerIds(dataRoot);
        for (String container : containers) {
            for (long pid : cgroupProcesses(container)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (long pid : ProcFs.processesMentioning(root)) {
            // Orphans with nothing to save: no point giving them the grace a live daemon gets.
            ProcessHandle.of(pid).ifPresent(handle -> kill(handle, problems));
        }
        for (String container : containers) {
            removeCgroups(container);
            deleteQuietly(SessionDaemon.shimSocket(execRoot, container));
        }
        for (String mount : ProcFs.mountsUnder(root)) {
            try {
                Commands.require("umount", "-l", mount);
            } catch (IOException | InterruptedException | RuntimeException e) {
                problems.add("umount " + mount + ": " + e.getMessage());
            }
        }
        List<String> stillMounted = ProcFs.mountsUnder(root);
        if (!stillMounted.isEmpty()) {
            // rm -rf through a mount would delete whatever the mount shows, which may not be ours.
            problems.add("still mounted, so not deleted: " + stillMounted);
        } else {
            try {
                saveLog(root);
                Commands.require("rm", "-rf", "--one-file-system", root.toString());
            } catch (IOException | InterruptedException | RuntimeException e) {
                problems.add("rm -rf " + root + ": " + e.getMessage());
            }
        }
        if (namespace != null && Files.exists(Path.of("/var/run/netns", namespace))) {
            try {
                Commands.require("ip", "netns", "delete", namespace);
            } catch (IOException | InterruptedException | RuntimeException e) {
                problems.add("ip netns delete " + namespace + ": " + e.getMessage());
            }
        }
    }

    /** SIGTERM, then SIGKILL if the process outlives the timeout. */
    private static void stop(ProcessHandle handle, List<String> problems) {
        handle.destroy();
        try {
            try {
                handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
                handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted while stopping " + handle.pid());
        } catch (ExecutionException | TimeoutException e) {
            problems.add("process " + handle.pid() + " did not exit: " + e);
        }
    }

    private static void kill(ProcessHandle handle, List<String> problems) {
        handle.destroyForcibly();
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted while killing " + handle.pid());
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
            throw new UncheckedIOException(e);
        }
    }

    /** cgroup v1 with the cgroupfs driver (the CI machine's): every controller has {@code docker/<id>}. */
    private static List<Long> cgroupProcesses(String container) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path directory : containerCgroups(container)) {
            try {
                Files.readAllLines(directory.resolve("cgroup.procs")).stream()
                        .filter(line -> !line.isBlank()).map(Long::parseLong).forEach(pids::add);
            } catch (IOException e) {
                // gone meanwhile, or a controller without the file
            }
        }
        return List.copyOf(pids);
    }

    private static void removeCgroups(String container) {
        for (Path directory : containerCgroups(container)) {
            deleteQuietly(directory);
        }
    }

    private static List<Path> containerCgroups(String container) {
        try (Stream<Path> controllers = Files.list(CGROUPS)) {
            return Stream.concat(controllers.map(controller -> controller.resolve("docker").resolve(container)),
                            Stream.of(CGROUPS.resolve("docker").resolve(container)))
                    .filter(Files::isDirectory)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Keeps dockerd's log beside the test reports, since its directory goes. */
    private static void saveLog(Path root) {
        Path log = root.resolve("dockerd.log");
        Path reports = Path.of("target", "host-fleet-logs");
        if (Files.isRegularFile(log) && Files.isDirectory(Path.of("target"))) {
            try {
                Files.createDirectories(reports);
                Files.copy(log, reports.resolve(root.getFileName() + "-dockerd.log"));
            } catch (IOException e) {
                // only a convenience for debugging
            }
        }
    }

    private String dockerdLog() throws IOException {
        Path log = root.resolve("dockerd.log");
        return Files.isRegularFile(log) ? Files.readString(log) : "(no log)";
    }

    private String bridge() {
        return "kbr" + index;
    }

    private Path dataRoot() {
        return root.resolve("d");
    }

    private Path execRoot() {
        return root.resolve("x");
    }

    private static Optional<String> readString(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> readLong(Path file) {
        return readString(file).flatMap(text -> {
            try {
                return Optional.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort: an empty cgroup or a stale socket harms nothing
        }
    }
}
