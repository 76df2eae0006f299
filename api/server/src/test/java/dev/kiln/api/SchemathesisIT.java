package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ResourceHelpers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * openapi.yaml and the server agree: schemathesis generates requests from the document the server serves, sends
 * them to a real kiln-api with the admin key, and checks each answer against the document (no 5xx, only documented
 * statuses and content types, bodies and event-stream events that match their schemas). Its failures are this
 * test's failures; the report is in target/schemathesis.
 *
 * <p>Bounded and repeatable: one worker, a fixed seed, a fixed number of examples per operation and no example
 * database carried between runs, so a run generates the same requests; it takes about a minute.
 */
class SchemathesisIT {
    /** On the PATH: .ci/setup.sh installs the pinned version as /usr/local/bin/schemathesis. */
    private static final String SCHEMATHESIS = "schemathesis";
    private static final String SEED = "1";
    private static final String EXAMPLES_PER_OPERATION = "50";
    /** Ten times a run's minute; past it the run is stopped and the test fails. */
    private static final long PATIENCE_MINUTES = 10;

    /**
     * Builds the fuzzer submits wait for a host that never comes; a short deadline ends them within seconds, so their
     * event streams (which last until the build ends) do not hold each request for its whole timeout.
     */
    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack(Map.of("buildDeadline", "3s"));

    @Test
    void theServerAnswersEveryGeneratedRequestAsTheDocumentSays() throws IOException, InterruptedException {
        Path reports = Files.createDirectories(Path.of("target", "schemathesis").toAbsolutePath());
        Path output = reports.resolve("output.txt");
        String base = "http://127.0.0.1:" + STACK.port();
        List<String> command = List.of(SCHEMATHESIS,
                "--config-file", ResourceHelpers.resourceFilePath("schemathesis.toml"),
                "run", base + "/openapi.yaml",
                "--url", base,
                "--header", "Authorization: Bearer " + STACK.adminKey,
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                        + "response_schema_conformance",
                "--phases", "coverage,fuzzing",
                "--workers", "1",
                "--seed", SEED,
                "--max-examples", EXAMPLES_PER_OPERATION,
                "--generation-database", "none",
                "--request-timeout", "5",
                "--output-sanitize", "true",
                "--no-color",
                "--report", "junit",
                "--report-dir", reports.toString());

        Process run;
        try {
            // Run in target/: schemathesis keeps what it found under .schemathesis in its working directory.
            run = new ProcessBuilder(command).directory(reports.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
        } catch (IOException notInstalled) {
            throw new AssertionError("schemathesis is not installed: bash .ci/setup.sh installs it", notInstalled);
        }
        if (!run.waitFor(PATIENCE_MINUTES, TimeUnit.MINUTES)) {
            run.destroyForcibly().waitFor();
            throw new AssertionError("schemathesis ran past " + PATIENCE_MINUTES + " minutes; see " + output);
        }
        String report = Files.readString(output);
        assertThat(run.exitValue()).as("schemathesis exit status; its report:%n%s", report).isZero();
        assertThat(report).as("schemathesis summary").containsPattern("\\d+ generated, \\d+ passed");
    }
}
