package dev.kiln.activities.golden;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The small file operations the golden classes share: JSON state files, activity markers, directory listings. */
final class GoldenFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenFiles() {}

    /** Written to a temporary file and renamed, so a crash leaves the old file or the new, never half of one. */
    static void writeJson(Path file, Object value) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, JSON.writeValueAsBytes(value));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    /** Empty when the file is missing or unreadable: state files are trusted only when whole. */
    static <T> Optional<T> readJson(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Creates the file if needed and sets its modification time to now: garbage collection reads it. */
    static void touch(Path file, Clock clock) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
        } catch (IOException e) {
            throw new UncheckedIOException("touching " + file, e);
        }
    }

    /** The newer of the dir's and its activity marker's modification times. */
    static Instant lastActive(Path dir) {
        Instant newest = Instant.EPOCH;
        for (Path path : List.of(dir, dir.resolve(GoldenLayout.LAST_ACTIVE))) {
            try {
                Instant modified = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
                newest = modified.isAfter(newest) ? modified : newest;
            } catch (IOException e) {
                // no marker
            }
        }
        return newest;
    }

    /** The directories (not symlinks) directly in {@code directory}, sorted; none when it does not exist. */
    static List<Path> directories(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code dir} after {@code failure}; a removal that fails too is added to it, not thrown instead. */
    static void removeQuietly(Path dir, Exception failure) {
        try {
            Commands.removeTree(dir);
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }
}
