package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.TestArchives.Entry.directory;
import static dev.kiln.activities.docker.TestArchives.Entry.fifo;
import static dev.kiln.activities.docker.TestArchives.Entry.file;
import static dev.kiln.activities.docker.TestArchives.Entry.hardLink;
import static dev.kiln.activities.docker.TestArchives.Entry.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format detection and entry checks on the host, without an engine. */
class BuildArchiveTest {

    @TempDir
    Path directory;

    @Test
    void tarTarGzAndZipAllBecomeTheSameCleanTar() throws IOException {
        TestArchives.Entry[] entries = {
            directory("app"), file("app/run.sh", "echo hi\n", 0755), file("app/data.txt", "data\n"),
            symlink("app/current", "run.sh")
        };

        for (byte[] archive : new byte[][] {
            TestArchives.tar(entries), TestArchives.tarGz(entries), TestArchives.zip(entries)
        }) {
            Map<String, String> clean = clean(archive);

            assertThat(clean).containsExactly(
                    Map.entry("app/", "dir 755"),
                    Map.entry("app/run.sh", "file 755 echo hi\n"),
                    Map.entry("app/data.txt", "file 644 data\n"),
                    Map.entry("app/current", "symlink run.sh"));
        }
    }

    @Test
    void detectsTheFormatByMagicBytes() throws IOException {
        TestArchives.Entry entry = file("a", "a");

        assertThat(BuildArchive.detect(write(TestArchives.tar(entry)))).isEqualTo(BuildArchive.Format.TAR);
        assertThat(BuildArchive.detect(write(TestArchives.tarGz(entry)))).isEqualTo(BuildArchive.Format.TAR_GZ);
        assertThat(BuildArchive.detect(write(TestArchives.zip(entry)))).isEqualTo(BuildArchive.Format.ZIP);
    }

    @Test
    void refusesAnUnrecognisedFormat() {
        assertRefused("just some text, not an archive".getBytes(StandardCharsets.UTF_8), "unrecognised archive format");
    }

    @Test
    void normalisesNamesThatStayInside() throws IOException {
        Map<String, String> clean = clean(TestArchives.tar(file("./a/../b.txt", "b")));

        assertThat(clean).containsOnlyKeys("b.txt");
    }

    @Test
    void refusesEntriesEscapingTheRoot() {
        assertRefused(TestArchives.tar(file("ok.txt", "ok"), file("../evil", "x")), "../evil");
        assertRefused(TestArchives.tar(file("a/../../evil", "x")), "a/../../evil");
        assertRefused(TestArchives.zip(file("../evil", "x")), "../evil");
    }

    @Test
    void refusesAbsoluteEntries() {
        assertRefused(TestArchives.tar(file("/etc/evil", "x")), "/etc/evil");
        assertRefused(TestArchives.zip(file("/etc/evil", "x")), "/etc/evil");
    }

    @Test
    void refusesSymlinksResolvingOutside() {
        assertRefused(TestArchives.tar(symlink("passwd", "/etc/passwd")), "passwd");
        assertRefused(TestArchives.tar(directory("a"), symlink("a/up", "../..")), "a/up");
        assertRefused(TestArchives.zip(symlink("passwd", "/etc/passwd")), "passwd");
    }

    @Test
    void refusesSymlinksThatEscapeThroughAnotherSymlink() {
        // Each target looks inside on its own; following "sub/root" first makes the second one climb out.
        assertRefused(TestArchives.tar(directory("sub"), symlink("sub/root", ".."), symlink("escape", "sub/root/..")),
                "escape");
    }

    @Test
    void refusesSymlinkLoops() {
        assertRefused(TestArchives.tar(symlink("a", "b"), symlink("b", "a")), "resolves outside");
    }

    @Test
    void acceptsSymlinksResolvingInside() throws IOException {
        Map<String, String> clean = clean(TestArchives.tar(directory("sub"), symlink("sub/root", ".."),
                symlink("back", "sub/root/sub"), symlink("dangling", "x")));

        assertThat(clean).containsKeys("sub/root", "back", "dangling");
    }

    @Test
    void refusesEntriesBeneathASymlink() {
        assertRefused(TestArchives.tar(directory("real"), symlink("link", "real"), file("link/x", "x")), "link/x");
    }

    @Test
    void checksHardLinks() throws IOException {
        assertThat(clean(TestArchives.tar(file("a", "a"), hardLink("b", "a")))).containsEntry("b", "link a");
        assertRefused(TestArchives.tar(hardLink("b", "../../etc/passwd")), "b");
        assertRefused(TestArchives.tar(hardLink("b", "/etc/passwd")), "b");
        assertRefused(TestArchives.tar(hardLink("b", "later"), file("later", "x")), "not a file earlier");
    }

    @Test
    void refusesSpecialFilesAndDuplicates() {
        assertRefused(TestArchives.tar(fifo("pipe")), "pipe");
        assertRefused(TestArchives.tar(file("a", "1"), file("a", "2")), "more than once");
    }

    @Test
    void stopsReadingPastTheUnpackedSizeLimit() throws IOException {
        byte[] archive = TestArchives.tarGz(file("big", "x".repeat(2000)));
        Path cleanTar = directory.resolve("clean.tar");

        assertThatThrownBy(() -> BuildArchive.clean(write(archive), cleanTar, 1000))
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.ARCHIVE_INVALID.name());
                    assertThat(failure.getOriginalMessage()).contains("unpacks to more than");
                });
    }

    private void assertRefused(byte[] archive, String messagePart) {
        assertThatThrownBy(() -> clean(archive))
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.ARCHIVE_INVALID.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                    assertThat(failure.getOriginalMessage()).contains(messagePart);
                });
    }

    /** The clean tar's entries in order: name to type, mode and content or link target. */
    private Map<String, String> clean(byte[] archive) throws IOException {
        Path cleanTar = directory.resolve("clean-" + System.nanoTime() + ".tar");
        BuildArchive.clean(write(archive), cleanTar, BuildArchive.MAX_UNPACKED_BYTES);
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream file = Files.newInputStream(cleanTar);
                TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                assertThat(entry.getLongUserId()).isZero();
                String mode = Integer.toOctalString(entry.getMode() & 07777);
                String description;
                if (entry.isDirectory()) {
                    description = "dir " + mode;
                } else if (entry.isSymbolicLink()) {
                    description = "symlink " + entry.getLinkName();
                } else if (entry.isLink()) {
                    description = "link " + entry.getLinkName();
                } else {
                    description = "file " + mode + " " + new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                }
                entries.put(entry.getName(), description);
            }
        }
        return entries;
    }

    private Path write(byte[] archive) throws IOException {
        Path file = Files.createTempFile(directory, "archive-", ".upload");
        Files.write(file, archive);
        return file;
    }
}
