package dev.kiln.api;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Temp dirs of services a test runs itself, each naming the JVM that owns it, so that a later run can stop and
 * remove what a run killed outright (before its teardown and shutdown hooks) left behind.
 */
final class OwnedTempDirs {
    private static final Path PARENT = Path.of("/tmp");
    private static final String OWNER = "owner";

    private OwnedTempDirs() {}

    static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(PARENT, prefix);
        Files.writeString(dir.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
        return dir;
    }

    /** Dirs of this prefix whose owner is gone; a dir of a run still going is left alone. */
    static List<Path> abandoned(String prefix) throws IOException {
        List<Path> abandoned = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PARENT, prefix + "*")) {
            for (Path dir : dirs) {
                if (owner(dir) != null && ProcessHandle.of(owner(dir)).filter(ProcessHandle::isAlive).isEmpty()) {
                    abandoned.add(dir);
                }
            }
        }
        return abandoned;
    }

    private static Long owner(Path dir) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(OWNER)).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** rm -rf that stays on the dir's file system, whoever owns the files in it. */
    static void delete(Path dir) throws IOException, InterruptedException {
        Commands.require("rm", "-rf", "--one-file-system", dir.toString());
    }
}
