package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Copies a Docker data dir with {@code cp -a --reflink=auto}, one job per top-level entry and one per overlay2
 * layer, on a few workers: copy-on-write on XFS with reflink=1 or btrfs, a plain copy elsewhere. Modes, owners,
 * times, symlinks and hard links within a job are kept by {@code cp -a}; the two directories the copier makes
 * itself (the destination and its {@code overlay2/}) get the source's mode, owner and times at the end.
 *
 * <p>Progress is the destination's apparent size ({@code du -sb}) against the source's, polled on the calling
 * thread; a listener that throws (an activity heartbeat on cancel) stops the copy: running cp processes are
 * killed and the exception is rethrown. After the first failing job no new job starts, running ones finish,
 * and that job's error with cp's output is thrown.
 */
public final class ParallelCopier {

    /** Called with bytes copied so far and the total; may throw to stop the copy. */
    @FunctionalInterface
    public interface Progress {
        void report(long copiedBytes, long totalBytes);
    }

    private static final String LAYERS = "overlay2";

    private final int workers;
    private final Duration pollInterval;

    public ParallelCopier(int workers, Duration pollInterval) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        this.workers = workers;
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
    }

    /** Workers = CPUs, kept between 2 and 16: cp is mostly waiting on the disk, and a few more jobs keep it busy. */
    public static ParallelCopier withDefaults() {
        return new ParallelCopier(Math.max(2, Math.min(16, Runtime.getRuntime().availableProcessors())),
                Duration.ofSeconds(2));
    }

    /**
     * Copies {@code source} to {@code destination}, which must not exist yet.
     *
     * @return the total (apparent bytes of the source)
     */
    public long copy(Path source, Path destination, Progress progress) {
        requireNonNull(progress, "progress is null");
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("not a directory: " + source);
        }
        long total = Commands.apparentSize(source);
        progress.report(0, total);
        List<List<String>> jobs = new ArrayList<>();
        try {
            Files.createDirectories(destination.getParent());
            Files.createDirectory(destination);
            for (Path entry : list(source)) {
                String name = entry.getFileName().toString();
                if (name.equals(LAYERS) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Path layers = Files.createDirectory(destination.resolve(LAYERS));
                    for (Path layer : list(entry)) {
                        jobs.add(copyCommand(layer, layers));
                    }
                } else {
                    jobs.add(copyCommand(entry, destination));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the copy of " + source + " to " + destination, e);
        }
        run(jobs, destination, total, progress);
        try {
            if (Files.isDirectory(source.resolve(LAYERS), LinkOption.NOFOLLOW_LINKS)) {
                copyAttributes(source.resolve(LAYERS), destination.resolve(LAYERS));
            }
            copyAttributes(source, destination);
        } catch (IOException e) {
            throw new UncheckedIOException("copying the attributes of " + source, e);
        }
        progress.report(total, total);
        return total;
    }

    private static List<String> copyCommand(Path entry, Path into) {
        return List.of("cp", "-a", "--reflink=auto", "--", entry.toString(), into.toString() + "/");
    }

    private void run(List<List<String>> jobs, Path destination, long total, Progress progress) {
        ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "golden-copy");
            thread.setDaemon(true);
            return thread;
        });
        CopyProcesses processes = new CopyProcesses();
        for (List<String> job : jobs) {
            pool.submit(() -> processes.run(job));
        }
        pool.shutdown();
        try {
            while (!pool.awaitTermination(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                progress.report(Math.min(total, Commands.apparentSize(destination)), total);
            }
        } catch (InterruptedException | RuntimeException e) {
            processes.stop();
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying to " + destination, e);
            }
            throw (RuntimeException) e;
        }
        processes.throwFirstError();
    }

    /**
     * The cp processes of one copy. Starting one and stopping them all take the same lock, so no cp can start
     * after a stop; each job waits for its cp to be reaped, so once the pool has ended no cp is left, not even as
     * a zombie.
     */
    private static final class CopyProcesses {

        private final Set<Process> running = new HashSet<>();
        private final AtomicReference<RuntimeException> firstError = new AtomicReference<>();
        private boolean stopped;

        void run(List<String> job) {
            Process process;
            try {
                process = start(job);
            } catch (IOException e) {
                firstError.compareAndSet(null, new UncheckedIOException(String.join(" ", job), e));
                return;
            }
            if (process == null) {
                return;
            }
            try {
                String output = new String(process.getInputStream().readAllBytes(), UTF_8);
                int exit = awaitExit(process);
                if (exit != 0 && !isStopped()) {
                    firstError.compareAndSet(null, new IllegalStateException(
                            String.join(" ", job) + " exited " + exit + ": " + output.strip()));
                }
            } catch (IOException e) {
                if (!isStopped()) {
                    firstError.compareAndSet(null, new UncheckedIOException(String.join(" ", job), e));
                }
            } finally {
                process.destroyForcibly();
                awaitExit(process);
                synchronized (this) {
                    running.remove(process);
                }
            }
        }

        /** After the first failed job, as after a stop, no new job starts: the copy has failed either way. */
        private synchronized Process start(List<String> job) throws IOException {
            if (stopped || firstError.get() != null) {
                return null;
            }
            Process process = new ProcessBuilder(job).redirectErrorStream(true).start();
            running.add(process);
            return process;
        }

        synchronized void stop() {
            stopped = true;
            running.forEach(Process::destroyForcibly);
        }

        private synchronized boolean isStopped() {
            return stopped;
        }

        void throwFirstError() {
            if (firstError.get() != null) {
                throw firstError.get();
            }
        }

        /** Waits through interrupts: the pool's shutdown interrupts jobs whose cp has just been killed anyway. */
        private static int awaitExit(Process process) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return process.waitFor();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        }
    }

    private static void copyAttributes(Path source, Path target) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(source, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(attributes.owner());
        view.setGroup(attributes.group());
        view.setPermissions(attributes.permissions());
        view.setTimes(attributes.lastModifiedTime(), attributes.lastAccessTime(), null);
    }
}
