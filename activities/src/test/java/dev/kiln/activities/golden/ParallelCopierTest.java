package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelCopierTest {

    private Path work;

    @BeforeEach
    void createWork() throws IOException {
        work = Files.createTempDirectory("kiln-copier-");
    }

    @AfterEach
    void removeWork() {
        Commands.removeTree(work);
    }

    @Test
    void copyKeepsModesOwnersTimesAndSymlinksAndReportsBytes() throws IOException {
        Path source = Files.createDirectories(work.resolve("src"));
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwx--x--x"));
        Path layers = Files.createDirectories(source.resolve("overlay2"));
        Files.setPosixFilePermissions(layers, PosixFilePermissions.fromString("rwx------"));
        Path diff = Files.createDirectories(layers.resolve("abc/diff"));
        Path file = Files.write(diff.resolve("file"), new byte[100_000]);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000_000L));
        Files.createDirectories(layers.resolve("l"));
        Files.createSymbolicLink(layers.resolve("l/ABC"), Path.of("../abc/diff"));
        Files.writeString(source.resolve("engine-id"), "x");
        Files.createDirectories(source.resolve("image/overlay2"));
        Files.setLastModifiedTime(layers, FileTime.fromMillis(1_100_000_000_000L));
        Commands.run(Duration.ofSeconds(10), "chown", "12345:23456", file.toString());
        Commands.run(Duration.ofSeconds(10), "chmod", "4750", file.toString());
        List<long[]> reports = new ArrayList<>();

        Path target = work.resolve("dst");
        long total = new ParallelCopier(4, Duration.ofMillis(50)).copy(source, target,
                (copied, all) -> reports.add(new long[] {copied, all}));

        assertThat(total).isGreaterThan(100_000);
        assertThat(reports.get(0)).containsExactly(0, total);
        assertThat(reports.get(reports.size() - 1)).containsExactly(total, total);
        Path copied = target.resolve("overlay2/abc/diff/file");
        assertThat(Files.size(copied)).isEqualTo(100_000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copied))).isEqualTo("rwxr-x---");
        assertThat(Commands.run(Duration.ofSeconds(10), "stat", "-c", "%a %u:%g", copied.toString()).strip())
                .isEqualTo("4750 12345:23456");
        assertThat(Files.getLastModifiedTime(copied).toMillis()).isEqualTo(1_000_000_000_000L);
        assertThat(Files.readSymbolicLink(target.resolve("overlay2/l/ABC"))).isEqualTo(Path.of("../abc/diff"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("overlay2"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rwx--x--x");
        assertThat(Files.getLastModifiedTime(target.resolve("overlay2"), LinkOption.NOFOLLOW_LINKS).toMillis())
                .isEqualTo(1_100_000_000_000L);
        assertThat(target.resolve("engine-id")).hasContent("x");
    }

    @Test
    void aThrowingProgressStopsTheCopy() throws IOException {
        Path source = Files.createDirectories(work.resolve("src/overlay2"));
        for (int i = 0; i < 40; i++) {
            Files.write(Files.createDirectories(source.resolve("layer" + i)).resolve("f"), new byte[4_000_000]);
        }
        ParallelCopier copier = new ParallelCopier(2, Duration.ofMillis(1));
        assertThatThrownBy(() -> copier.copy(work.resolve("src"), work.resolve("dst"), (copied, total) -> {
            if (copied > 0) {
                throw new IllegalStateException("cancelled");
            }
        })).hasMessage("cancelled");
        assertThat(ProcessHandle.current().children().filter(child -> child.info().command()
                .map(command -> command.endsWith("/cp")).orElse(false)).count()).isZero();
    }
}
