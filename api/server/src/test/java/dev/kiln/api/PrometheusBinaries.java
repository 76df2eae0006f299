package dev.kiln.api;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code prometheus} and {@code promtool} from Debian's prometheus package, which {@code .ci/setup.sh} installs. */
final class PrometheusBinaries {
    private PrometheusBinaries() {}

    /**
     * The executable on the PATH. Missing, it fails the test rather than skip it: a skipped rule test would let
     * a broken alert through as quietly as no test at all.
     */
    static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not on the PATH: install Debian's prometheus package (bash .ci/setup.sh)");
    }
}
