package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.workflows.golden.WriteRateSample;
import dev.kiln.workflows.golden.WriteRateSeries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples what a build's daemon and its containers write. Docker's blkio counters are empty on the hosts (no
 * throttling-capable scheduler), so the sampler reads {@code write_bytes} from {@code /proc/<pid>/io} of the
 * dockerd, of containerd and the shims (their command lines name the daemon's run dir) and of every task in the
 * daemon's cgroup parent. Only when no such file can be read does it fall back to the data dir's growth. Concurrent
 * builds do not mix: each counts only its own processes.
 */
public final class WriteRateSampler implements AutoCloseable {

    static final String PROC_IO = "proc-io";
    static final String DATA_DIR = "data-dir";
    /** Ten minutes at the default interval: enough for a sparkline, small enough for a payload. */
    static final int MAX_SAMPLES = 300;

    private final String buildId;
    private final DaemonPaths paths;
    private final Path dataRoot;
    private final Clock clock;
    private final WriteRates rates = new WriteRates();
    private final ArrayDeque<WriteRateSample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService scheduler;
    private String source = PROC_IO;
    private Long dataBaseline;
    private boolean running = true;

    public WriteRateSampler(String buildId, DaemonPaths paths, Path dataRoot, Clock clock, Duration interval) {
        this.buildId = requireNonNull(buildId, "buildId is null");
        this.paths = requireNonNull(paths, "paths is null");
        this.dataRoot = requireNonNull(dataRoot, "dataRoot is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "golden-write-rate-" + buildId);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // A process gone between listing and reading, say: the next sample will do.
        }
    }

    synchronized void sample() {
        if (!running) {
            return;
        }
        long bytes;
        Map<Long, Long> readings = readings();
        if (!readings.isEmpty() && source.equals(PROC_IO)) {
            bytes = rates.update(readings);
        } else if (samples.isEmpty() || source.equals(DATA_DIR)) {
            source = DATA_DIR;
            long size = Commands.apparentSize(dataRoot);
            if (dataBaseline == null) {
                dataBaseline = size;
            }
            bytes = Math.max(samples.isEmpty() ? 0 : samples.getLast().writeBytes(), size - dataBaseline);
        } else {
            // proc-io chosen but nothing readable this time (daemon restarting): repeat the last value.
            bytes = samples.getLast().writeBytes();
        }
        samples.addLast(new WriteRateSample(clock.millis(), bytes));
        while (samples.size() > MAX_SAMPLES) {
            samples.removeFirst();
        }
    }

    private Map<Long, Long> readings() {
        Set<Long> pids = new LinkedHashSet<>();
        SessionDaemon.running(paths).ifPresent(handle -> {
            pids.add(handle.pid());
            handle.descendants().forEach(child -> pids.add(child.pid()));
        });
        pids.addAll(ProcFs.processesMentioning(paths.runDir()));
        pids.addAll(SessionDaemon.cgroupProcesses(SessionDaemon.cgroupDirs(paths.cgroupParent())));
        Map<Long, Long> readings = new TreeMap<>();
        for (long pid : pids) {
            try {
                long value = WriteRates.parseWriteBytes(Files.readString(Path.of("/proc", Long.toString(pid), "io")));
                if (value >= 0) {
                    readings.put(pid, value);
                }
            } catch (IOException | NumberFormatException e) {
                // exited meanwhile
            }
        }
        return readings;
    }

    public synchronized WriteRateSeries series() {
        List<WriteRateSample> list = List.copyOf(samples);
        return new WriteRateSeries(buildId, list, WriteRates.currentMbps(list), source, running);
    }

    /** Takes a last sample and stops; the series stays readable. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        synchronized (this) {
            if (running) {
                sampleQuietly();
                running = false;
            }
        }
    }
}
