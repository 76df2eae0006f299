package dev.kiln.activities;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.golden.SessionDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * kiln-host ships without kiln-migrations (hosts never touch PostgreSQL), so a class it runs that names one of
 * dev.kiln.db's classes fails there with NoClassDefFoundError, and only there: every test classpath has them.
 */
class HostClasspathTest {

    /** Every package but {@code record}, whose activities run in kiln-api. */
    private static final List<String> HOST_PACKAGES = List.of("docker", "golden", "metrics", "recipe");

    @Test
    void classesThatRunOnHostsNameNothingFromKilnMigrations() throws Exception {
        Path classes = Path.of(SessionDaemon.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path root = classes.resolve("dev/kiln/activities");
        List<Path> hostClasses;
        try (Stream<Path> files = Stream.of(HOST_PACKAGES.toArray(String[]::new)).map(root::resolve)
                .flatMap(HostClasspathTest::classFiles)) {
            hostClasses = files.toList();
        }

        assertThat(hostClasses).as("compiled classes under %s", root).hasSizeGreaterThan(20);
        assertThat(hostClasses).allSatisfy(file -> assertThat(new String(Files.readAllBytes(file), ISO_8859_1))
                .as("%s", root.relativize(file)).doesNotContain("dev/kiln/db/"));
    }

    private static Stream<Path> classFiles(Path directory) {
        try {
            return Files.walk(directory).filter(file -> file.toString().endsWith(".class"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
