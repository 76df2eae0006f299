package dev.kiln.activities.sampler;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one container's CPU and memory counters live. Resolved once from {@code /proc/<pid>/cgroup} of the
 * container's init process, then read every tick: the files are a few hundred bytes, far cheaper than the Docker
 * stats API, which takes a second or more per call. cgroup v1 (this fleet's hosts) first, v2 as a fallback.
 */
record CgroupFiles(Path cpuUsage, boolean cpuInMicroseconds, Path memoryStat, String rssKey, String rssFallbackKey) {

    CgroupFiles {
        requireNonNull(cpuUsage, "cpuUsage is null");
        requireNonNull(memoryStat, "memoryStat is null");
        requireNonNull(rssKey, "rssKey is null");
        requireNonNull(rssFallbackKey, "rssFallbackKey is null");
    }

    /** v1 mounts the cpuacct controller alone or together with cpu, under either name order. */
    private static final List<String> CPUACCT_MOUNTS = List.of("cpuacct", "cpu,cpuacct", "cpuacct,cpu");

    static CgroupFiles resolve(Path procRoot, Path cgroupRoot, long pid) throws IOException {
        Map<String, String> paths = new HashMap<>();
        for (String line : Files.readAllLines(procRoot.resolve(Long.toString(pid)).resolve("cgroup"))) {
            // hierarchy-id:controller-list:path; the path may itself contain ':'.
            String[] fields = line.split(":", 3);
            if (fields.length < 3) {
                continue;
            }
            for (String controller : fields[1].split(",")) {
                paths.put(controller, relative(fields[2]));
            }
        }
        String cpuacct = paths.get("cpuacct");
        String memory = paths.get("memory");
        if (cpuacct != null && memory != null) {
            Path memoryStat = cgroupRoot.resolve("memory").resolve(memory).resolve("memory.stat");
            for (String mount : CPUACCT_MOUNTS) {
                Path usage = cgroupRoot.resolve(mount).resolve(cpuacct).resolve("cpuacct.usage");
                if (Files.isReadable(usage)) {
                    return new CgroupFiles(usage, false, requireReadable(memoryStat), "total_rss", "rss");
                }
            }
            throw new IOException("no readable cpuacct.usage for cgroup " + cpuacct + " under " + cgroupRoot);
        }
        String unified = paths.get("");
        if (unified == null) {
            throw new IOException("process " + pid + " is in no cpuacct, memory or unified cgroup");
        }
        Path group = cgroupRoot.resolve(unified);
        return new CgroupFiles(requireReadable(group.resolve("cpu.stat")), true,
                requireReadable(group.resolve("memory.stat")), "anon", "anon");
    }

    /** Cumulative CPU time of every process in the container. */
    long cpuUsageNanos() throws IOException {
        if (!cpuInMicroseconds) {
            return Long.parseLong(Files.readString(cpuUsage).strip());
        }
        return statValue(cpuUsage, "usage_usec", "usage_usec") * 1000;
    }

    /** Resident anonymous memory; page cache is left out, as {@code docker stats} leaves it out. */
    long rssBytes() throws IOException {
        return statValue(memoryStat, rssKey, rssFallbackKey);
    }

    private static long statValue(Path file, String key, String fallbackKey) throws IOException {
        Long fallback = null;
        for (String line : Files.readAllLines(file)) {
            int space = line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, space);
            if (name.equals(key)) {
                return Long.parseLong(line.substring(space + 1).strip());
            }
            if (name.equals(fallbackKey)) {
                fallback = Long.parseLong(line.substring(space + 1).strip());
            }
        }
        if (fallback == null) {
            throw new IOException("no " + key + " in " + file);
        }
        return fallback;
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private static Path requireReadable(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(file + " is not readable");
        }
        return file;
    }
}
