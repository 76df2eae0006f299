package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code /proc} says about processes and mounts below a directory: how a daemon's leftovers (containerd, shims,
 * overlay mounts) are found when only its paths are known, as after a crash.
 */
public final class ProcFs {
    private ProcFs() {}

    /** Processes (other than this one) whose command line names a path below {@code dir}. */
    public static List<Long> processesMentioning(Path dir) {
        long self = ProcessHandle.current().pid();
        String needle = dir + "/";
        return ProcessHandle.allProcesses()
                .map(ProcessHandle::pid)
                .filter(pid -> pid != self && commandLine(pid).contains(needle))
                .toList();
    }

    /** The process's arguments joined by spaces; empty when it is gone or unreadable. */
    public static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** Mount points at or below {@code root}, deepest first, so that each is unmounted before what holds it. */
    public static List<String> mountsUnder(Path root) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> unescape(line.split(" ")[4]))
                    .filter(mount -> mount.equals(root.toString()) || mount.startsWith(root + "/"))
                    .distinct()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
