package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * An uploaded build archive (tar, tar.gz or zip, told apart by their magic bytes) checked entry by entry and
 * written out again as a plain tar that holds only directories, regular files, hard links and symlinks, owned by
 * root. Nothing of it reaches a sandbox unless every entry passed: no absolute names, nothing that normalises to
 * a path above the root, no links that resolve outside it (following the archive's own symlinks on the way), and
 * no entry stored beneath a symlink, which extraction would write through. Every check is on names alone: the
 * archive is never unpacked on the host.
 */
final class BuildArchive {

    /** A zip-bomb guard: the API caps the upload, but not what it inflates to. */
    static final long MAX_UNPACKED_BYTES = 1L << 30;

    /** Linux gives up on a path after 40 symlinks; so does the check, calling it a loop. */
    private static final int MAX_SYMLINK_HOPS = 40;
    private static final int MAGIC_BYTES = 262;
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final int MAX_ZIP_SYMLINK_TARGET = 4096;
    /** Setuid, setgid and sticky bits are dropped: build files never need them, and an upload is not trusted. */
    private static final int PERMISSIONS = 0777;

    enum Format {
        TAR_GZ,
        ZIP,
        TAR
    }

    private record HardLink(String name, String target) {}

    private enum Kind {
        DIRECTORY,
        FILE,
        SYMLINK,
        HARD_LINK
    }

    private final TarArchiveOutputStream out;
    private final long maxUnpackedBytes;
    /** In archive order, so that the entry a refusal names is the first offending one. */
    private final Map<String, Kind> entries = new LinkedHashMap<>();
    private final Map<String, String> symlinks = new HashMap<>();
    private final List<HardLink> hardLinks = new ArrayList<>();
    private long unpackedBytes;

    private BuildArchive(TarArchiveOutputStream out, long maxUnpackedBytes) {
        this.out = out;
        this.maxUnpackedBytes = maxUnpackedBytes;
    }

    /**
     * Checks {@code archive} and writes its clean tar to {@code cleanTar}.
     *
     * @throws io.temporal.failure.ApplicationFailure of type {@code ARCHIVE_INVALID} when the archive is
     *     unreadable, of an unknown format, too large unpacked, or has an entry that is refused
     * @throws IOException when the clean tar cannot be written (the host's disk, not the archive)
     */
    static void clean(Path archive, Path cleanTar, long maxUnpackedBytes) throws IOException {
        requireNonNull(archive, "archive is null");
        requireNonNull(cleanTar, "cleanTar is null");
        Format format = detect(archive);
        try (OutputStream file = Files.newOutputStream(cleanTar);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            BuildArchive cleaner = new BuildArchive(tar, maxUnpackedBytes);
            if (format == Format.ZIP) {
                cleaner.readZip(archive);
            } else {
                cleaner.readTar(archive, format);
            }
            cleaner.checkLinks();
        }
    }

    static Format detect(Path archive) throws IOException {
        byte[] head = new byte[MAGIC_BYTES];
        int length;
        try (InputStream in = Files.newInputStream(archive)) {
            length = in.readNBytes(head, 0, head.length);
        }
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Format.TAR_GZ;
        }
        if (length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Format.ZIP;
        }
        byte[] ustar = "ustar".getBytes(StandardCharsets.US_ASCII);
        if (length >= TAR_MAGIC_OFFSET + ustar.length
                && Arrays.equals(head, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + ustar.length, ustar, 0, ustar.length)) {
            return Format.TAR;
        }
        throw Failures.archiveInvalid("unrecognised archive format: expected tar, tar.gz or zip");
    }

    private void readTar(Path archive, Format format) throws IOException {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
                InputStream raw = format == Format.TAR_GZ ? gunzip(file) : file;
                TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            while (true) {
                TarArchiveEntry entry;
                try {
                    entry = tar.getNextEntry();
                } catch (IOException e) {
                    throw Failures.archiveInvalid(
                            "archive is not a valid " + describe(format) + ": " + e.getMessage(), e);
                }
                if (entry == null) {
                    return;
                }
                if (entry.isGlobalPaxHeader()) {
                    continue;
                }
                if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw Failures.archiveInvalid("archive entry " + entry.getName()
                            + " is a device or fifo; only files, directories and links are allowed");
                }
                String name = path(entry.getName());
                Date modified = entry.getModTime();
                if (entry.isDirectory()) {
                    directory(name, entry.getMode(), modified);
                } else if (entry.isSymbolicLink()) {
                    symlink(name, entry.getLinkName(), modified);
                } else if (entry.isLink()) {
                    hardLink(name, entry.getLinkName(), modified);
                } else {
                    file(name, entry.getMode(), modified, entry.getSize(), tar);
                }
            }
        }
    }

    private static InputStream gunzip(InputStream in) {
        try {
            return new GzipCompressorInputStream(in, true);
        } catch (IOException e) {
            throw Failures.archiveInvalid("archive is not a valid tar.gz: " + e.getMessage(), e);
        }
    }

    private void readZip(Path archive) throws IOException {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(archive).get();
        } catch (IOException e) {
            throw Failures.archiveInvalid("archive is not a valid zip: " + e.getMessage(), e);
        }
        try (zip) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                String name = path(entry.getName());
                Date modified = new Date(entry.getTime());
                int mode = entry.getUnixMode();
                if (entry.isDirectory()) {
                    directory(name, mode == 0 ? 0755 : mode, modified);
                } else if (entry.isUnixSymlink()) {
                    symlink(name, zipSymlinkTarget(zip, entry), modified);
                } else {
                    try (InputStream content = zipContent(zip, entry)) {
                        file(name, mode == 0 ? 0644 : mode, modified, entry.getSize(), content);
                    }
                }
            }
        }
    }

    private static String zipSymlinkTarget(ZipFile zip, ZipArchiveEntry entry) {
        try (InputStream content = zip.getInputStream(entry)) {
            byte[] target = content.readNBytes(MAX_ZIP_SYMLINK_TARGET + 1);
            if (target.length > MAX_ZIP_SYMLINK_TARGET) {
                throw Failures.archiveInvalid(
                        "archive entry " + entry.getName() + " is a symlink with an overlong target");
            }
            return new String(target, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Failures.archiveInvalid("cannot read archive entry " + entry.getName() + ": " + e.getMessage(), e);
        }
    }

    private static InputStream zipContent(ZipFile zip, ZipArchiveEntry entry) {
        try {
            return zip.getInputStream(entry);
        } catch (IOException e) {
            throw Failures.archiveInvalid("cannot read archive entry " + entry.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The entry's path relative to the root, normalised; "" for the root itself. */
    private static String path(String name) {
        if (name.startsWith("/")) {
            throw Failures.archiveInvalid("archive entry " + name + " has an absolute path");
        }
        String normalized;
        try {
            normalized = Path.of(name).normalize().toString();
        } catch (InvalidPathException e) {
            throw Failures.archiveInvalid("archive entry " + name + " has an invalid name: " + e.getMessage(), e);
        }
        if (escapes(normalized)) {
            throw Failures.archiveInvalid("archive entry " + name + " points outside the archive root");
        }
        return normalized;
    }

    private static boolean escapes(String normalized) {
        return normalized.equals("..") || normalized.startsWith("../");
    }

    private void directory(String name, int mode, Date modified) throws IOException {
        if (name.isEmpty()) {
            return;
        }
        Kind earlier = entries.putIfAbsent(name, Kind.DIRECTORY);
        if (earlier == Kind.DIRECTORY) {
            return;
        }
        refuseDuplicate(name, earlier);
        TarArchiveEntry entry = entry(name + "/", TarConstants.LF_DIR, modified);
        entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode & PERMISSIONS);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    private void file(String name, int mode, Date modified, long size, InputStream content) throws IOException {
        refuseDuplicate(name, entries.putIfAbsent(name, Kind.FILE));
        if (size < 0) {
            throw Failures.archiveInvalid("archive entry " + name + " does not declare its size");
        }
        if (size > maxUnpackedBytes - unpackedBytes) {
            throw tooLarge();
        }
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL, modified);
        entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode & PERMISSIONS);
        entry.setSize(size);
        out.putArchiveEntry(entry);
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (true) {
            int read = read(name, content, buffer);
            if (read < 0) {
                break;
            }
            copied += read;
            if (copied > size) {
                // A zip's declared size can lie; inflating past it is how a bomb gets past the size check.
                throw Failures.archiveInvalid("archive entry " + name + " holds more data than its declared size");
            }
            out.write(buffer, 0, read);
        }
        if (copied != size) {
            throw Failures.archiveInvalid(
                    "archive entry " + name + " is truncated: " + copied + " of " + size + " bytes");
        }
        unpackedBytes += size;
        out.closeArchiveEntry();
    }

    private static int read(String name, InputStream content, byte[] buffer) {
        try {
            return content.read(buffer);
        } catch (IOException e) {
            throw Failures.archiveInvalid("cannot read archive entry " + name + ": " + e.getMessage(), e);
        }
    }

    /** Written at once; whether the target stays inside is checked once every symlink is known. */
    private void symlink(String name, String target, Date modified) throws IOException {
        refuseRoot(name);
        refuseDuplicate(name, entries.putIfAbsent(name, Kind.SYMLINK));
        if (target.isEmpty()) {
            throw Failures.archiveInvalid("archive entry " + name + " is a symlink without a target");
        }
        symlinks.put(name, target);
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, modified);
        entry.setMode(0120777);
        entry.setLinkName(target);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    /** A hard link names another entry by its path in the archive, which must be a file that came before it. */
    private void hardLink(String name, String target, Date modified) throws IOException {
        refuseRoot(name);
        refuseDuplicate(name, entries.putIfAbsent(name, Kind.HARD_LINK));
        String targetPath;
        try {
            targetPath = path(target);
        } catch (RuntimeException e) {
            throw Failures.archiveInvalid("archive entry " + name + " is a hard link to " + target
                    + ", which is outside the archive root");
        }
        if (entries.get(targetPath) != Kind.FILE) {
            throw Failures.archiveInvalid("archive entry " + name + " is a hard link to " + target
                    + ", which is not a file earlier in the archive");
        }
        hardLinks.add(new HardLink(name, targetPath));
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK, modified);
        entry.setLinkName(targetPath);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    /**
     * Runs once every entry is known, since a symlink may name one that comes later. Extraction writes an entry
     * stored beneath a symlink through that symlink, so none may be; and every symlink must resolve inside.
     */
    private void checkLinks() {
        for (String name : entries.keySet()) {
            String symlink = symlinkAbove(name);
            if (symlink != null) {
                throw Failures.archiveInvalid("archive entry " + name + " lies beneath the symlink " + symlink);
            }
        }
        for (HardLink link : hardLinks) {
            String symlink = symlinks.containsKey(link.target()) ? link.target() : symlinkAbove(link.target());
            if (symlink != null) {
                throw Failures.archiveInvalid(
                        "archive entry " + link.name() + " is a hard link through the symlink " + symlink);
            }
        }
        for (Map.Entry<String, String> symlink : symlinks.entrySet()) {
            if (!staysInside(symlink.getKey(), symlink.getValue())) {
                throw Failures.archiveInvalid("archive entry " + symlink.getKey() + " is a symlink to "
                        + symlink.getValue() + ", which resolves outside the archive root");
            }
        }
    }

    private String symlinkAbove(String name) {
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
            String parent = name.substring(0, slash);
            if (symlinks.containsKey(parent)) {
                return parent;
            }
        }
        return null;
    }

    /**
     * Resolves the target from the link's directory as the kernel would inside the root, following the archive's
     * symlinks along the way: an absolute target, a {@code ..} above the root, or a loop means it escapes. Paths
     * that name nothing in the archive resolve as plain directories, which is all they can be after extraction.
     */
    private boolean staysInside(String link, String target) {
        Deque<String> resolved = new ArrayDeque<>(List.of(link.split("/")));
        resolved.removeLast();
        Deque<String> pending = new ArrayDeque<>();
        int hops = 0;
        String next = target;
        while (true) {
            if (next != null) {
                if (next.startsWith("/") || ++hops > MAX_SYMLINK_HOPS) {
                    return false;
                }
                String[] parts = next.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    pending.addFirst(parts[i]);
                }
            }
            if (pending.isEmpty()) {
                return true;
            }
            String part = pending.removeFirst();
            next = null;
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (resolved.isEmpty()) {
                    return false;
                }
                resolved.removeLast();
                continue;
            }
            resolved.addLast(part);
            next = symlinks.get(String.join("/", resolved));
            if (next != null) {
                resolved.removeLast();
            }
        }
    }

    private static void refuseRoot(String name) {
        if (name.isEmpty()) {
            throw Failures.archiveInvalid("archive has a link entry in place of its root directory");
        }
    }

    private static void refuseDuplicate(String name, Kind earlier) {
        if (earlier != null) {
            throw Failures.archiveInvalid("archive entry " + name + " appears more than once");
        }
    }

    private RuntimeException tooLarge() {
        return Failures.archiveInvalid("archive unpacks to more than " + (maxUnpackedBytes >> 20) + " MiB");
    }

    /** Root owns everything: the archive's owners mean nothing in the sandbox, and COPY chowns for the user. */
    private static TarArchiveEntry entry(String name, byte type, Date modified) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setModTime(modified);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        return entry;
    }

    private static String describe(Format format) {
        return format == Format.TAR_GZ ? "tar.gz" : "tar";
    }
}
