package dev.kiln.activities.docker;

import dev.kiln.workflows.sandbox.ArchiveDigest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The step cache's digests of a clean build archive ({@link BuildArchive}'s output): one per entry over what COPY
 * keeps of it (path, type, permission bits, link target, content; not times or owners, which {@code cp -r} does not
 * keep), combined in path order, so that the same files packed in another order or at another time digest the same.
 */
final class ArchiveDigests {

    private static final int BUFFER_BYTES = 64 * 1024;

    private ArchiveDigests() {}

    /**
     * @param sources COPY sources as the recipe wrote them, relative to the archive's root ({@code .} is all of it);
     *     a source that matches no entry digests as empty, and its COPY fails when it runs
     */
    static ArchiveDigest of(Path cleanTar, List<String> sources) throws IOException {
        SortedMap<String, String> entries = entries(cleanTar);
        Map<String, String> bySource = new LinkedHashMap<>();
        for (String source : sources) {
            String root = Path.of(source).normalize().toString();
            MessageDigest digest = sha256();
            entries.forEach((path, entry) -> {
                if (root.isEmpty() || path.equals(root) || path.startsWith(root + "/")) {
                    update(digest, path, entry);
                }
            });
            bySource.put(source, hex(digest));
        }
        MessageDigest whole = sha256();
        entries.forEach((path, entry) -> update(whole, path, entry));
        return new ArchiveDigest(hex(whole), bySource);
    }

    /** Path to the digest of the entry; a hard link digests as its target does, since it reads the target's bytes. */
    private static SortedMap<String, String> entries(Path cleanTar) throws IOException {
        SortedMap<String, String> entries = new TreeMap<>();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream file = new BufferedInputStream(Files.newInputStream(cleanTar));
                TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String path = entry.getName().endsWith("/")
                        ? entry.getName().substring(0, entry.getName().length() - 1) : entry.getName();
                String mode = Integer.toOctalString(entry.getMode() & 07777);
                String digest;
                if (entry.isDirectory()) {
                    digest = "d " + mode;
                } else if (entry.isSymbolicLink()) {
                    digest = "l " + entry.getLinkName();
                } else if (entry.isLink()) {
                    digest = entries.getOrDefault(entry.getLinkName(), "h " + entry.getLinkName());
                } else {
                    MessageDigest content = sha256();
                    int read;
                    while ((read = tar.read(buffer)) >= 0) {
                        content.update(buffer, 0, read);
                    }
                    digest = "f " + mode + " " + hex(content);
                }
                entries.put(path, digest);
            }
        }
        return entries;
    }

    private static void update(MessageDigest digest, String path, String entry) {
        digest.update((path + "\0" + entry + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
