package dev.kiln.api;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.activities.docker.StepCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kiln-host process, started from the jar the worker-host module packages, on the Temporal server of the
 * kiln-api it registers with. Its temp files go to a dir of its own ({@link #tempDir}), so a test can tell what this
 * host left from what other processes on the machine leave in /tmp.
 */
final class HostProcess implements AutoCloseable {
    /** The machine's own engine, which every host uses unless a test gives it a daemon of its own. */
    static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

    private static final List<Path> STATE_DIRS = new ArrayList<>();
    /** Every kiln-host this JVM started, for {@link FailureDiagnostics}. */
    private static final List<HostProcess> STARTED = new ArrayList<>();
    /** Hosts that ran on the machine's own engine, whose step caches outlive them there. */
    private static final Set<String> CACHE_OWNERS = new HashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(HostProcess::cleanUpAtExit, "kiln-host-it-cleanup"));
    }

    private final String hostId;
    private final Path stateDir;
    private final String dockerHost;
    private final String temporalTarget;
    private final Path log;
    private final Process process;
    private final Instant startedAt;
    private final int adminPort;

    private HostProcess(String hostId, Path stateDir, String dockerHost, String temporalTarget, Path log,
            Process process, int adminPort) {
        this.hostId = hostId;
        this.stateDir = stateDir;
        this.dockerHost = dockerHost;
        this.temporalTarget = temporalTarget;
        this.log = log;
        this.process = process;
        this.startedAt = Instant.now();
        this.adminPort = adminPort;
        synchronized (STARTED) {
            STARTED.add(this);
        }
    }

    /** The kiln-host processes of this JVM that still run. */
    static List<HostProcess> alive() {
        synchronized (STARTED) {
            return STARTED.stream().filter(HostProcess::isAlive).toList();
        }
    }

    long pid() {
        return process.pid();
    }

    /** Creates a regular host through the API, starts kiln-host with its one-time token, and waits for it online. */
    static HostProcess registerAndStart(KilnApiStack stack) throws IOException, InterruptedException {
        return registerAndStart(stack, DEFAULT_DOCKER_HOST);
    }

    /** As {@link #registerAndStart(KilnApiStack)}, with kiln-host driving the engine at {@code dockerHost}. */
    static HostProcess registerAndStart(KilnApiStack stack, String dockerHost) throws IOException, InterruptedException {
        HostProcess host = launch(stack, dockerHost);
        host.awaitStarted(stack);
        return host;
    }

    /**
     * Creates a regular host through the API and starts kiln-host with its one-time token without waiting for it,
     * so that several hosts can start side by side; {@link #awaitStarted} waits.
     */
    static HostProcess launch(KilnApiStack stack, String dockerHost) throws IOException {
        return launch(stack, stack.port(), dockerHost);
    }

    /**
     * Creates the host through the stack's main kiln-api, and starts kiln-host against the kiln-api at
     * {@code apiPort}: another replica of the stack.
     */
    static HostProcess registerAndStart(KilnApiStack stack, int apiPort) throws IOException, InterruptedException {
        HostProcess host = launch(stack, apiPort, DEFAULT_DOCKER_HOST);
        host.awaitStarted(stack);
        return host;
    }

    private static HostProcess launch(KilnApiStack stack, int apiPort, String dockerHost) throws IOException {
        ApiTestClient.Reply created = stack.client().post("/v1/hosts", stack.adminKey, Map.of("type", "regular"));
        if (created.status() != 201) {
            throw new IllegalStateException("could not create a host: " + created.body());
        }
        return start(apiPort, created.body().path("host").path("id").asText(),
                created.body().path("registration_token").asText(), stateDirOfItsOwn(), dockerHost,
                stack.temporalTarget());
    }

    /**
     * A state dir removed when the test JVM exits, whether the tests passed or not. Not on {@link #close}: a test may
     * restart kiln-host on the same dir (its saved credentials) after closing or killing the first process.
     */
    private static Path stateDirOfItsOwn() throws IOException {
        Path dir = Files.createTempDirectory("kiln-host-it-");
        synchronized (STATE_DIRS) {
            STATE_DIRS.add(dir);
        }
        return dir;
    }

    /**
     * The test hosts are never deleted through the API, which would remove their step caches, so the JVM does it
     * when it exits, with their state dirs, whether the tests passed or not. A host still running then belongs to a
     * test that timed out or a fork that failsafe stopped: it is killed, and its sandboxes go with it. A test host
     * that ran on a daemon of its own left its cache there, and the daemon's data dir goes with the daemon.
     */
    private static void cleanUpAtExit() {
        List<String> abandoned = killHostsStillRunning();
        removeStateDirs();
        List<String> owners;
        synchronized (CACHE_OWNERS) {
            owners = List.copyOf(CACHE_OWNERS);
        }
        if (owners.isEmpty()) {
            return;
        }
        try (DockerClient docker = DockerClients.create(DEFAULT_DOCKER_HOST)) {
            for (String hostId : owners) {
                if (abandoned.contains(hostId)) {
                    DockerCommands.removeContainersLabelled(docker, "kiln.host=" + hostId);
                }
                StepCache.removeAll(docker, new HostLabels(hostId));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove the step caches of the test hosts: " + e);
        }
    }

    /** Returns the ids of the hosts it killed. */
    private static List<String> killHostsStillRunning() {
        List<HostProcess> running = alive();
        for (HostProcess host : running) {
            host.process.destroyForcibly();
        }
        for (HostProcess host : running) {
            try {
                host.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running.stream().map(HostProcess::hostId).toList();
    }

    private static void removeStateDirs() {
        synchronized (STATE_DIRS) {
            for (Path dir : STATE_DIRS) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                } catch (IOException | UncheckedIOException gone) {
                    // nothing left to remove
                }
            }
        }
    }

    /** Waits until the host heartbeats after its start; fails with the process's log if it exits instead. */
    void awaitStarted(KilnApiStack stack) throws IOException, InterruptedException {
        ApiTestClient api = stack.client();
        // Online is not enough: registration marks it so before the worker polls. The heartbeat after start says
        // the process survived its own start-up (base image, Temporal worker). Registration also stamps the
        // heartbeat time, but only a real heartbeat reports the load, so a fresh host is judged by that.
        Await.until(Duration.ofSeconds(120), () -> api.get("/v1/hosts/" + hostId, stack.adminKey).body(),
                body -> !isAlive() || body.path("status").asText().equals("online") && !body.path("load").isEmpty()
                        && Instant.parse(body.path("last_heartbeat_at").asText("1970-01-01T00:00:00Z")).isAfter(startedAt),
                "host " + hostId + " to heartbeat after start");
        if (!isAlive()) {
            throw new IllegalStateException("kiln-host exited; its log:\n" + log());
        }
    }

    /** kiln-host for a host registered elsewhere (the console's dialog) with its one-time token, on the stack. */
    static HostProcess start(KilnApiStack stack, String hostId, String registrationToken, Path stateDir)
            throws IOException {
        return start(stack.port(), hostId, registrationToken, stateDir, DEFAULT_DOCKER_HOST, stack.temporalTarget());
    }

    private static HostProcess start(int apiPort, String hostId, String registrationToken, Path stateDir,
            String dockerHost, String temporalTarget) throws IOException {
        String jar = System.getProperty("kiln.host.jar", "../../worker-host/target/kiln-host.jar");
        if (DEFAULT_DOCKER_HOST.equals(dockerHost)) {
            synchronized (CACHE_OWNERS) {
                CACHE_OWNERS.add(hostId);
            }
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: build worker-host first (mvn verify does)");
        }
        Files.createDirectories(stateDir);
        Files.createDirectories(tempDir(stateDir));
        Path config = stateDir.resolve("kiln-host.yml");
        // Chosen here rather than port 0 so that tests know where to scrape /metrics.
        int adminPort = freePort();
        Files.writeString(config, """
                server:
                  applicationConnectors:
                    - type: http
                      port: 0
                  adminConnectors:
                    - type: http
                      port: %d
                apiUrl: http://127.0.0.1:%d
                temporalTarget: "%s"
                stateDir: %s
                registrationToken: "%s"
                dockerHost: "%s"
                heartbeatInterval: 2s
                logging:
                  level: INFO
                  loggers:
                    io.temporal: WARN
                """.formatted(adminPort, apiPort, temporalTarget, stateDir,
                registrationToken == null ? "" : registrationToken, dockerHost));
        Path log = stateDir.resolve("kiln-host.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Djava.io.tmpdir=" + tempDir(stateDir), "-jar", jar,
                "server", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new HostProcess(hostId, stateDir, dockerHost, temporalTarget, log, process, adminPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** kiln-host's Dropwizard admin port, where it serves /metrics. */
    int adminPort() {
        return adminPort;
    }

    String hostId() {
        return hostId;
    }

    Path stateDir() {
        return stateDir;
    }

    /** The host's {@code java.io.tmpdir}, where it keeps archives and image layers while it works on them. */
    Path tempDir() {
        return tempDir(stateDir);
    }

    private static Path tempDir(Path stateDir) {
        return stateDir.resolve("tmp");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Starts kiln-host again on the same state dir: it must come back with its saved credentials, no token. */
    HostProcess restart(int apiPort) throws IOException {
        return start(apiPort, hostId, "", stateDir, dockerHost, temporalTarget);
    }

    /** Waits for the process to end on its own and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("kiln-host " + hostId + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL: the host dies without a chance to clean up, as a crashed machine would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
