package dev.kiln.activities.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving a container's cgroup files from a made-up /proc and /sys/fs/cgroup. */
class CgroupFilesTest {

    @TempDir
    Path root;

    @Test
    void cgroupV1ReadsCpuacctUsageAndTotalRss() throws IOException {
        Path proc = root.resolve("proc");
        Path cgroup = root.resolve("cgroup");
        write(proc.resolve("42/cgroup"), """
                4:memory:/docker/abc
                2:cpu,cpuacct:/docker/abc
                0::/docker/abc
                """);
        write(cgroup.resolve("cpu,cpuacct/docker/abc/cpuacct.usage"), "123456789\n");
        write(cgroup.resolve("memory/docker/abc/memory.stat"), "cache 10\nrss 20\ntotal_cache 30\ntotal_rss 40\n");

        CgroupFiles files = CgroupFiles.resolve(proc, cgroup, 42);

        assertThat(files.cpuUsageNanos()).isEqualTo(123456789L);
        assertThat(files.rssBytes()).isEqualTo(40);
    }

    @Test
    void cgroupV1WithoutHierarchicalTotalsFallsBackToRss() throws IOException {
        Path proc = root.resolve("proc");
        Path cgroup = root.resolve("cgroup");
        write(proc.resolve("7/cgroup"), "4:memory:/docker/x\n2:cpuacct:/docker/x\n1:cpu:/docker/x\n");
        write(cgroup.resolve("cpuacct/docker/x/cpuacct.usage"), "5\n");
        write(cgroup.resolve("memory/docker/x/memory.stat"), "cache 10\nrss 20\n");

        CgroupFiles files = CgroupFiles.resolve(proc, cgroup, 7);

        assertThat(files.cpuUsageNanos()).isEqualTo(5);
        assertThat(files.rssBytes()).isEqualTo(20);
    }

    @Test
    void cgroupV2ReadsUsageMicrosecondsAndAnonymousMemory() throws IOException {
        Path proc = root.resolve("proc");
        Path cgroup = root.resolve("cgroup");
        write(proc.resolve("9/cgroup"), "0::/system.slice/docker-x.scope\n");
        write(cgroup.resolve("system.slice/docker-x.scope/cpu.stat"), "usage_usec 1500\nuser_usec 1000\n");
        write(cgroup.resolve("system.slice/docker-x.scope/memory.stat"), "anon 4096\nfile 8192\n");

        CgroupFiles files = CgroupFiles.resolve(proc, cgroup, 9);

        assertThat(files.cpuUsageNanos()).isEqualTo(1_500_000);
        assertThat(files.rssBytes()).isEqualTo(4096);
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
