package dev.kiln.activities.sampler;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.host.DockerState;
import dev.kiln.workflows.sandbox.MetricPoint;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every running sandbox container's CPU, resident memory and writable-layer size twice a second into its
 * {@link MetricTiers}. CPU and memory come straight from cgroup files (the Docker stats API is far too slow for
 * this rate); the container list is refreshed every few seconds and each new container's cgroup files and
 * writable layer are resolved once, so a tick costs a few small file reads per sandbox. Disk is a directory walk,
 * refreshed every ten seconds and carried in between.
 *
 * <p>All sampling runs on one daemon thread; {@link #tick()} never throws, since a scheduled task that throws is
 * never run again, and one container that cannot be read is dropped and resolved afresh at the next listing
 * without holding up the others.
 */
public final class SandboxSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxSampler.class);


    public static final Duration TICK = Duration.ofMillis(500);
    public static final Duration LISTING_INTERVAL = Duration.ofSeconds(3);
    public static final Duration DISK_INTERVAL = Duration.ofSeconds(10);

    private final DockerClient docker;
    private final HostLabels labels;
    private final Clock clock;
    private final Path procRoot;
    private final Path cgroupRoot;
    private final Duration tick;
    private final long listingIntervalNanos;
    private final long diskIntervalNanos;

    /** By sandbox id; read and suspended by activity threads, filled by the sampler thread. */
    private final Map<String, Series> series = new ConcurrentHashMap<>();
    /** By container id; the sampler thread's alone. */
    private final Map<String, Target> targets = new HashMap<>();
    /** Containers that failed to resolve or read: warned about once, then only at debug. */
    private final Set<String> failing = new HashSet<>();

    private volatile boolean listingRequested = true;
    private long lastListing;
    private ScheduledExecutorService executor;

    public SandboxSampler(DockerClient docker, HostLabels labels) {
        this(docker, labels, Clock.systemUTC(), Path.of("/proc"), Path.of("/sys/fs/cgroup"), TICK, LISTING_INTERVAL,
                DISK_INTERVAL);
    }

    /** Shorter intervals let tests see samples, listings and disk refreshes without waiting. */
    public SandboxSampler(
            DockerClient docker, HostLabels labels, Clock clock, Path procRoot, Path cgroupRoot, Duration tick,
            Duration listingInterval, Duration diskInterval) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.procRoot = requireNonNull(procRoot, "procRoot is null");
        this.cgroupRoot = requireNonNull(cgroupRoot, "cgroupRoot is null");
        this.tick = requireNonNull(tick, "tick is null");
        this.listingIntervalNanos = requireNonNull(listingInterval, "listingInterval is null").toNanos();
        this.diskIntervalNanos = requireNonNull(diskInterval, "diskInterval is null").toNanos();
    }

    /**
     * With a fixed delay, not a fixed rate: a slow tick (a large layer's walk) shifts the ones after it instead of
     * queueing a burst of them.
     */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kiln-sandbox-sampler");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    /** The sandbox's tiers so far; empty ones for a sandbox never sampled. */
    public SandboxMetrics metrics(String sandboxId) {
        Series found = series.get(requireNonNull(sandboxId, "sandboxId is null"));
        return found == null ? SandboxMetrics.empty() : found.tiers.snapshot();
    }

    /** Stops sampling the sandbox (it is being paused) and returns its tiers, which are kept for a resume. */
    public SandboxMetrics suspend(String sandboxId) {
        Series found = series.computeIfAbsent(requireNonNull(sandboxId, "sandboxId is null"), id -> newSeries());
        return found.suspend();
    }

    /** Samples the sandbox again from the next tick on, with the tiers it had. */
    public void resume(String sandboxId) {
        series.computeIfAbsent(requireNonNull(sandboxId, "sandboxId is null"), id -> newSeries()).resume();
        listingRequested = true;
    }

    /** A sandbox was just created: list containers at the next tick instead of within the listing interval. */
    public void watch(String sandboxId) {
        requireNonNull(sandboxId, "sandboxId is null");
        listingRequested = true;
    }

    /** Drops the sandbox's tiers: it was destroyed. */
    public void forget(String sandboxId) {
        Series removed = series.remove(requireNonNull(sandboxId, "sandboxId is null"));
        if (removed != null) {
            // A tick holding a reference to it must not record into it any more.
            removed.suspend();
        }
        listingRequested = true;
    }

    /** One round of sampling; package-visible so that tests can drive it without the executor. */
    void tick() {
        long now = System.nanoTime();
        if (listingRequested || now - lastListing >= listingIntervalNanos) {
            // Cleared before listing, so that a request made during the listing is not lost.
            listingRequested = false;
            lastListing = now;
            try {
                refreshTargets();
            } catch (RuntimeException e) {
                // The engine may be restarting: keep sampling the targets already resolved, list again next time.
                if (!Thread.currentThread().isInterrupted()) {
                    LOG.warn("listing sandbox containers failed: {}", e.toString());
                }
            }
        }
        for (Iterator<Target> it = targets.values().iterator(); it.hasNext(); ) {
            Target target = it.next();
            try {
                if (!sample(target)) {
                    it.remove();
                }
            } catch (IOException | RuntimeException e) {
                // The container stopped or was removed between listings, usually; the next listing decides.
                it.remove();
                report(target.containerId, "reading the cgroup files of", e);
            }
        }
    }

    /**
     * Running sandboxes become targets; paused, stopped and suspended ones stop being sampled. Tiers of sandboxes
     * that no longer have a container at all are dropped, so that memory follows the sandboxes on the host even
     * when a container is removed behind Kiln's back.
     */
    private void refreshTargets() {
        List<Container> containers = docker.listContainersCmd()
                .withShowAll(true)
                // Role sandbox: a container started by hand from a snapshot inherits the image's kiln.sandbox label,
                // and is not the sandbox.
                .withLabelFilter(labels.sandboxes())
                .exec();
        Set<String> sandboxIds = new HashSet<>();
        Set<String> running = new HashSet<>();
        for (Container container : containers) {
            String sandboxId = container.getLabels().get(ContainerLabels.SANDBOX);
            sandboxIds.add(sandboxId);
            Series existing = series.get(sandboxId);
            if (!DockerState.RUNNING.is(container.getState()) || (existing != null && !existing.sampling())) {
                continue;
            }
            running.add(container.getId());
            if (!targets.containsKey(container.getId())) {
                resolve(container.getId(), sandboxId).ifPresent(target -> targets.put(target.containerId, target));
            }
        }
        targets.keySet().retainAll(running);
        failing.retainAll(running);
        series.keySet().retainAll(sandboxIds);
    }

    private Optional<Target> resolve(String containerId, String sandboxId) {
        try {
            InspectContainerResponse inspected = docker.inspectContainerCmd(containerId).exec();
            Long pid = inspected.getState() == null ? null : inspected.getState().getPidLong();
            if (pid == null || pid <= 0) {
                return Optional.empty();
            }
            CgroupFiles files = CgroupFiles.resolve(procRoot, cgroupRoot, pid);
            return Optional.of(new Target(containerId, sandboxId, files, upperDir(pid)));
        } catch (IOException | RuntimeException e) {
            report(containerId, "resolving the cgroup files of", e);
            return Optional.empty();
        }
    }

    /**
     * The writable layer, from the options of the container's root mount: docker-java's inspect model does not
     * carry GraphDriver.Data.UpperDir. Null (disk reported as 0) for storage drivers other than overlay.
     */
    private Path upperDir(long pid) throws IOException {
        for (String line : Files.readAllLines(procRoot.resolve(Long.toString(pid)).resolve("mountinfo"))) {
            // id parent major:minor root mount-point options [optional fields] - fstype source super-options
            String[] fields = line.split(" ");
            if (fields.length < 5 || !"/".equals(fields[4])) {
                continue;
            }
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] tail = line.substring(separator + 3).split(" ");
            if (tail.length < 3 || !tail[0].startsWith("overlay")) {
                continue;
            }
            for (String option : tail[2].split(",")) {
                if (option.startsWith("upperdir=")) {
                    return Path.of(option.substring("upperdir=".length()));
                }
            }
        }
        return null;
    }

    /** False when the target should be dropped (its sandbox is suspended or forgotten). */
    private boolean sample(Target target) throws IOException {
        Series found = series.computeIfAbsent(target.sandboxId, id -> newSeries());
        if (!found.sampling()) {
            return false;
        }
        long usage = target.files.cpuUsageNanos();
        long wall = System.nanoTime();
        long rss = target.files.rssBytes();
        refreshDisk(target, wall);
        boolean first = target.lastUsage < 0;
        double cpuPct =
                first ? 0 : Math.max(0, usage - target.lastUsage) * 100.0 / Math.max(1, wall - target.lastWall);
        target.lastUsage = usage;
        target.lastWall = wall;
        if (!first) {
            // The first read is only a baseline: CPU use is a difference between two reads.
            found.record(new MetricPoint(clock.millis(), cpuPct, rss, target.diskBytes));
        }
        return true;
    }

    /** A failed walk keeps the last value: disk is a slow-moving figure and the next refresh will retry. */
    private void refreshDisk(Target target, long now) {
        if (target.upperDir == null || (target.diskRead && now - target.diskReadAt < diskIntervalNanos)) {
            return;
        }
        target.diskRead = true;
        target.diskReadAt = now;
        try {
            target.diskBytes = DiskUsage.allocatedBytes(target.upperDir);
        } catch (IOException | RuntimeException e) {
            report(target.containerId, "sizing the writable layer of", e);
        }
    }

    private void report(String containerId, String action, Exception e) {
        if (failing.add(containerId)) {
            LOG.warn("{} sandbox container {} failed: {}", action, containerId, e.toString());
        } else {
            LOG.debug("{} sandbox container {} failed again: {}", action, containerId, e.toString());
        }
    }

    private Series newSeries() {
        return new Series(new MetricTiers(clock));
    }

    /** A sandbox's tiers and whether it is being sampled; the flag and the recording share one lock. */
    private static final class Series {
        private final MetricTiers tiers;
        private boolean sampling = true;

        Series(MetricTiers tiers) {
            this.tiers = tiers;
        }

        synchronized boolean sampling() {
            return sampling;
        }

        synchronized void record(MetricPoint point) {
            if (sampling) {
                tiers.add(point);
            }
        }

        synchronized SandboxMetrics suspend() {
            sampling = false;
            return tiers.snapshot();
        }

        synchronized void resume() {
            sampling = true;
        }
    }

    /** A running container being sampled; touched by the sampler thread only. */
    private static final class Target {
        private final String containerId;
        private final String sandboxId;
        private final CgroupFiles files;
        private final Path upperDir;
        private long lastUsage = -1;
        private long lastWall;
        private boolean diskRead;
        private long diskReadAt;
        private long diskBytes;

        Target(String containerId, String sandboxId, CgroupFiles files, Path upperDir) {
            this.containerId = containerId;
            this.sandboxId = sandboxId;
            this.files = files;
            this.upperDir = upperDir;
        }
    }
}
