package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus files in {@code dashboards/} as promtool judges them: every rules file and configuration checks
 * clean, and every alert has unit tests ({@code dashboards/tests/*_test.yml}) that see it fire and stay quiet.
 */
class AlertRulesTest {
    private static final Path ROOT = DashboardFiles.root();

    @Test
    void everyRulesFileAndConfigurationPassesPromtoolCheck() throws Exception {
        List<Path> ruleFiles = DashboardFiles.prometheusRuleFiles(ROOT);
        assertThat(ruleFiles).as("rules files in %s", ROOT).isNotEmpty();
        for (Path file : ruleFiles) {
            assertPasses(promtool("check", "rules", file.toString()));
        }
        List<Path> configs = DashboardFiles.prometheusConfigs(ROOT);
        assertThat(configs).as("Prometheus configurations in %s", ROOT).isNotEmpty();
        for (Path file : configs) {
            assertPasses(promtool("check", "config", file.toString()));
        }
    }

    @Test
    void everyAlertHasAUnitTestThatSeesItFireAndOneThatSeesItStayQuiet() {
        Map<String, Set<String>> outcomesByAlert = new TreeMap<>();
        for (Path file : DashboardFiles.ruleTests(ROOT)) {
            for (JsonNode test : DashboardFiles.read(DashboardFiles.YAML, file).path("tests")) {
                for (JsonNode check : test.path("alert_rule_test")) {
                    outcomesByAlert.computeIfAbsent(check.path("alertname").asText(), alert -> new TreeSet<>())
                            .add(check.path("exp_alerts").isEmpty() ? "quiet" : "fires");
                }
            }
        }
        List<String> alerts = DashboardFiles.alertNames(ROOT);
        assertThat(alerts).as("alerts in %s", ROOT).isNotEmpty();
        for (String alert : alerts) {
            assertThat(outcomesByAlert.getOrDefault(alert, Set.of())).as("outcomes tested for %s", alert)
                    .containsExactlyInAnyOrder("fires", "quiet");
        }
        assertThat(outcomesByAlert.keySet()).as("alerts the unit tests name").isSubsetOf(alerts);
    }

    @Test
    void everyAlertUnitTestPasses() throws Exception {
        List<Path> tests = DashboardFiles.ruleTests(ROOT);
        assertThat(tests).as("promtool unit tests in %s", ROOT.resolve("tests")).isNotEmpty();
        List<String> command = new ArrayList<>(List.of("test", "rules"));
        tests.forEach(test -> command.add(test.toString()));
        assertPasses(promtool(command.toArray(String[]::new)));
    }

    /** Without this, a promtool that passed everything would pass the tests above just the same. */
    @Test
    void promtoolFailsAUnitTestWhoseAlertDoesNotFireAsExpected(@TempDir Path dir) throws Exception {
        Path test = dir.resolve("wrong_test.yml");
        Files.writeString(test, """
                rule_files:
                  - %s
                tests:
                  - name: no host is unreachable, yet the test expects a page
                    interval: 1m
                    input_series:
                      - series: 'kiln_hosts{status="unreachable"}'
                        values: '0x10'
                    alert_rule_test:
                      - eval_time: 10m
                        alertname: KilnHostUnreachable
                        exp_alerts:
                          - exp_labels:
                              severity: page
                """.formatted(ROOT.resolve("prometheus/alerts.yml")));

        Result result = promtool("test", "rules", test.toString());

        assertThat(result.exitCode()).as("promtool's exit code; its output:%n%s", result.output()).isNotZero();
        assertThat(result.output()).contains("FAILED");
    }

    private record Result(String command, int exitCode, String output) {}

    private static void assertPasses(Result result) {
        assertThat(result.exitCode()).as("%s answered:%n%s", result.command(), result.output()).isZero();
    }

    private static Result promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PrometheusBinaries.require("promtool").toString());
        command.addAll(List.of(arguments));
        // To a file rather than a pipe, so that the timeout holds even when promtool hangs with its output open.
        Path output = Files.createTempFile("kiln-promtool-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60 s: "
                        + Files.readString(output));
            }
            return new Result(String.join(" ", command), process.exitValue(), Files.readString(output));
        } finally {
            Files.delete(output);
        }
    }
}
