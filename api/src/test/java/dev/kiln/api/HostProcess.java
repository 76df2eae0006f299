package dev.kiln.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real kiln-host process, started from the jar the worker-host module packages. */
final class HostProcess implements AutoCloseable {
    private final Path stateDir;
    private final Path log;
    private final Process process;

    private HostProcess(Path stateDir, Path log, Process process) {
        this.stateDir = stateDir;
        this.log = log;
        this.process = process;
    }

    static HostProcess start(int apiPort, String registrationToken, Path stateDir) throws IOException {
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
        return new HostProcess(stateDir, log, process);
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
