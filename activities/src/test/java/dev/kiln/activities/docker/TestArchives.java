package dev.kiln.activities.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds archives for the tests, including the malicious kinds an upload must refuse. Names are kept verbatim. */
final class TestArchives {

    private TestArchives() {}

    enum Type {
        FILE,
        DIRECTORY,
        SYMLINK,
        HARD_LINK,
        FIFO
    }

    record Entry(Type type, String name, String content, int mode) {

        static Entry file(String name, String content) {
            return new Entry(Type.FILE, name, content, 0644);
        }

        static Entry file(String name, String content, int mode) {
            return new Entry(Type.FILE, name, content, mode);
        }

        static Entry directory(String name) {
            return new Entry(Type.DIRECTORY, name, "", 0755);
        }

        /** {@code content} is the link's target. */
        static Entry symlink(String name, String target) {
            return new Entry(Type.SYMLINK, name, target, 0777);
        }

        static Entry hardLink(String name, String target) {
            return new Entry(Type.HARD_LINK, name, target, 0644);
        }

        static Entry fifo(String name) {
            return new Entry(Type.FIFO, name, "", 0644);
        }
    }

    static byte[] tar(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeTar(bytes, entries);
        return bytes.toByteArray();
    }

    static byte[] tarGz(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(bytes)) {
            writeTar(gzip, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Entry entry : entries) {
                String name = entry.type() == Type.DIRECTORY ? entry.name() + "/" : entry.name();
                ZipArchiveEntry zipEntry = new ZipArchiveEntry(name);
                int fileType = switch (entry.type()) {
                    case DIRECTORY -> 040000;
                    case SYMLINK -> 0120000;
                    default -> 0100000;
                };
                zipEntry.setUnixMode(fileType | entry.mode());
                zip.putArchiveEntry(zipEntry);
                zip.write(entry.content().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeTar(OutputStream out, Entry... entries) {
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                byte[] content = entry.content().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry tarEntry = switch (entry.type()) {
                    case FILE -> new TarArchiveEntry(entry.name(), true);
                    case DIRECTORY -> new TarArchiveEntry(entry.name() + "/", TarConstants.LF_DIR, true);
                    case SYMLINK -> new TarArchiveEntry(entry.name(), TarConstants.LF_SYMLINK, true);
                    case HARD_LINK -> new TarArchiveEntry(entry.name(), TarConstants.LF_LINK, true);
                    case FIFO -> new TarArchiveEntry(entry.name(), TarConstants.LF_FIFO, true);
                };
                tarEntry.setMode(tarEntry.getMode() & ~07777 | entry.mode());
                if (entry.type() == Type.SYMLINK || entry.type() == Type.HARD_LINK) {
                    tarEntry.setLinkName(entry.content());
                } else if (entry.type() == Type.FILE) {
                    tarEntry.setSize(content.length);
                }
                tar.putArchiveEntry(tarEntry);
                if (entry.type() == Type.FILE) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
