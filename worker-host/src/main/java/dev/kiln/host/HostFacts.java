package dev.kiln.host;

import com.github.dockerjava.api.DockerClient;
import com.sun.management.OperatingSystemMXBean;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.workflows.host.DockerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The machine's capacity (sent at registration) and current load (sent with every heartbeat). */
final class HostFacts {
    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024L * MIB;

    private HostFacts() {}

    static Map<String, Object> capacity(Path stateDir, String address) {
        OperatingSystemMXBean os = operatingSystem();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("arch", System.getProperty("os.arch"));
        facts.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        facts.put("memory_mb", os.getTotalMemorySize() / MIB);
        try {
            facts.put("disk_gb", Math.max(1, store(stateDir).getTotalSpace() / GIB));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size the filesystem of " + stateDir, e);
        }
        if (address != null && !address.isBlank()) {
            facts.put("address", address);
        }
        return facts;
    }

    static Map<String, Object> load(Path stateDir, DockerClient docker, HostLabels labels) {
        OperatingSystemMXBean os = operatingSystem();
        FileStore store = store(stateDir);
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("running_sandboxes", runningSandboxes(docker, labels));
        load.put("cpu_pct", Math.round(Math.max(0, os.getCpuLoad()) * 1000) / 10.0);
        load.put("memory_used_mb", (os.getTotalMemorySize() - os.getFreeMemorySize()) / MIB);
        try {
            load.put("disk_used_gb", (store.getTotalSpace() - store.getUsableSpace()) / GIB);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return load;
    }

    /**
     * Build sandboxes and user sandboxes that are running; paused ones hold memory but no CPU, and placement
     * counts them through the API's records instead. A container is counted once even if it carries both labels.
     */
    static int runningSandboxes(DockerClient docker, HostLabels labels) {
        Set<String> running = new HashSet<>();
        docker.listContainersCmd().withLabelFilter(labels.buildSandboxes()).exec()
                .forEach(container -> running.add(container.getId()));
        docker.listContainersCmd()
                .withLabelFilter(labels.sandboxes())
                .withStatusFilter(List.of(DockerState.RUNNING.spelling()))
                .exec()
                .forEach(container -> running.add(container.getId()));
        return running.size();
    }

    private static OperatingSystemMXBean operatingSystem() {
        return (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }

    private static FileStore store(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            return Files.getFileStore(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect the filesystem of " + stateDir, e);
        }
    }
}
