package dev.kiln.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real kiln-host process, started from the jar the worker-host module packages. */
final class HostProcess implements AutoCloseable {
    private final String hostId;
    private final Path stateDir;
    private final Path log;
    private final Process process;

    private HostProcess(String hostId, Path stateDir, Path log, Process process) {
        this.hostId = hostId;
        this.stateDir = stateDir;
        this.log = log;
        this.process = process;
    }

    /** Creates a regular host through the API, starts kiln-host with its one-time token, and waits for it online. */
    static HostProcess registerAndStart(KilnApiStack stack) throws IOException, InterruptedException {
        ApiTestClient api = stack.client();
        ApiTestClient.Reply created = api.post("/v1/hosts", stack.adminKey, Map.of("type", "regular"));
        if (created.status() != 201) {
            throw new IllegalStateException("could not create a host: " + created.body());
        }
        String hostId = created.body().path("host").path("id").asText();
        HostProcess host = start(stack.port(), hostId, created.body().path("registration_token").asText(),
                Files.createTempDirectory("kiln-host-it-"));
        // Online is not enough: registration marks it so before the worker polls. The heartbeat after start says
        // the process survived its own start-up (base image, Temporal worker).
        Instant registered = Instant.now();
        Await.until(Duration.ofSeconds(120), () -> api.get("/v1/hosts/" + hostId, stack.adminKey).body(),
                body -> !host.isAlive() || body.path("status").asText().equals("online")
                        && Instant.parse(body.path("last_heartbeat_at").asText("1970-01-01T00:00:00Z")).isAfter(registered),
                "host " + hostId + " to heartbeat after start");
        if (!host.isAlive()) {
            throw new IllegalStateException("kiln-host exited; its log:\n" + host.log());
        }
        return host;
    }

    static HostProcess start(int apiPort, String hostId, String registrationToken, Path stateDir) throws IOException {
        String jar = System.getProperty("kiln.host.jar", "../worker-host/target/kiln-host.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: build worker-host first (mvn verify does)");
        }
        Files.createDirectories(stateDir);
        Path config = stateDir.resolve("kiln-host.yml");
        Files.writeString(config, """
                server:
                  applicationConnectors:
                    - type: http
                      port: 0
                  adminConnectors:
                    - type: http
                      port: 0
                apiUrl: http://127.0.0.1:%d
                temporalTarget: 127.0.0.1:7233
                stateDir: %s
                registrationToken: "%s"
                heartbeatInterval: 2s
                logging:
                  level: INFO
                  loggers:
                    io.temporal: WARN
                """.formatted(apiPort, stateDir, registrationToken == null ? "" : registrationToken));
        Path log = stateDir.resolve("kiln-host.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
                "server", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new HostProcess(hostId, stateDir, log, process);
    }

    String hostId() {
        return hostId;
    }

    Path stateDir() {
        return stateDir;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Starts kiln-host again on the same state dir: it must come back with its saved credentials, no token. */
    HostProcess restart(int apiPort) throws IOException {
        return start(apiPort, hostId, "", stateDir);
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
