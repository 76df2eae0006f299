package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboards and alert rules of {@code dashboards/} on a real Prometheus that scrapes a real kiln-api and
 * kiln-host through builds: every panel's query returns series with values, as Grafana would send it; a variable set
 * to All shows what selecting each of its values shows; every alert rule loads healthy, reads series that exist and
 * stays quiet on a healthy stack.
 */
class PrometheusDashboardsIT {
    /**
     * Panels whose queries can only have a value in situations this test cannot create, and why. Each is still
     * queried (Prometheus must accept it), and must still be without a value, so that the list cannot go stale.
     */
    private static final Map<String, String> PANELS_WITHOUT_VALUES_HERE = Map.of(
            "golden.json: panel Copy throughput per host",
            "bytes over seconds of golden copies is 0/0 until a session copies a golden, which needs a real golden"
                    + " build on a Docker daemon of its own (GoldenCacheIT)");

    /** About Grafana's minimum for a data source: quick enough that the test waits seconds, not minutes. */
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    /** The step of every range query, as Grafana's {@code $__interval} on a panel a few minutes wide. */
    private static final Duration STEP = Duration.ofSeconds(1);
    /** Grafana's {@code $__rate_interval}: max($__interval + scrape interval, 4 x scrape interval). */
    private static final Duration RATE_INTERVAL = max(STEP.plus(SCRAPE_INTERVAL), SCRAPE_INTERVAL.multipliedBy(4));
    /** A series may need a report of the SDK (every 5 s) and a scrape after the last build to show its value. */
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\s*\\((.*),\\s*([a-zA-Z_]\\w*)\\s*\\)");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> IMAGES = new ArrayList<>();
    private static HostProcess host;
    private static PrometheusServer prometheus;
    private static Instant scrapedSince;

    @BeforeAll
    static void scrapeAHostAndTheApiThroughTwoBuilds() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        DashboardsIT.recordReadyGolden(STACK, host.hostId());
        scrapedSince = Instant.now();
        prometheus = PrometheusServer.start(SCRAPE_INTERVAL,
                Map.of("kiln-api", STACK.adminPort(), "kiln-host", host.adminPort()),
                DashboardFiles.prometheusRuleFiles(DashboardFiles.root()));
        prometheus.awaitTargetsUp(Duration.ofSeconds(60));
        // Two builds: the SDK's latency series appear at their first observation, and rate() sees no increase in a
        // series' first sample, so the second build moves series that Prometheus already holds.
        IMAGES.add(MetricsIT.runOneStepBuild(STACK));
        IMAGES.add(MetricsIT.runOneStepBuild(STACK));
    }

    @AfterAll
    static void stopPrometheusAndHostAndRemoveImages() throws InterruptedException {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            try {
                if (host != null) {
                    host.close();
                }
            } finally {
                DockerCommands.removeImages(DOCKER, IMAGES);
            }
        }
    }

    @Test
    void everyDashboardPanelQueryReturnsSeriesWithValues() throws InterruptedException {
        List<Panel> panels = panels(Map.of());
        assertThat(panels).as("panel queries in %s", DashboardFiles.root()).hasSizeGreaterThan(20);
        assertThat(panels.stream().map(Panel::key).collect(Collectors.toSet()))
                .as("panels listed as without values here").containsAll(PANELS_WITHOUT_VALUES_HERE.keySet());

        Await.until(PATIENCE, () -> {
            Map<String, String> withoutValues = new TreeMap<>();
            for (Panel panel : panels(Map.of())) {
                JsonNode series = query(panel.promQl());
                if (!PANELS_WITHOUT_VALUES_HERE.containsKey(panel.key()) && !hasValue(series)) {
                    withoutValues.put(panel.key() + ": " + panel.promQl(), series.toString());
                }
            }
            return withoutValues;
        }, Map::isEmpty, "every panel's query to return series with a value (panel: query -> what it returned)");

        for (Panel panel : panels) {
            if (PANELS_WITHOUT_VALUES_HERE.containsKey(panel.key())) {
                assertThat(hasValue(query(panel.promQl())))
                        .as("%s has a value now: take it off PANELS_WITHOUT_VALUES_HERE", panel.key()).isFalse();
            }
        }
    }

    @Test
    void aVariableSetToAllShowsWhatSelectingEveryValueShows() throws InterruptedException {
        Map<String, Variable> withValues = Await.until(PATIENCE, PrometheusDashboardsIT::queryVariables,
                variables -> variables.values().stream().noneMatch(variable -> variable.values().isEmpty()),
                "every query variable to have values");
        assertThat(withValues.get("hosts.json $queue").values()).as("the host queues")
                .containsExactly("host-" + host.hostId());

        Map<String, String> everyValue = new LinkedHashMap<>();
        withValues.forEach((key, variable) -> everyValue.put(key, variable.everyValue()));
        List<Panel> asAll = panels(Map.of());
        List<Panel> asEveryValue = panels(everyValue);
        // Both queries end where every scrape has landed, so that a series appearing between them cannot differ.
        Instant settled = Instant.now().minus(SCRAPE_INTERVAL.multipliedBy(2));
        for (int i = 0; i < asAll.size(); i++) {
            if (asAll.get(i).promQl().equals(asEveryValue.get(i).promQl())) {
                continue; // reads no variable
            }
            assertThat(labelSets(query(asAll.get(i).promQl(), settled)))
                    .as("%s with All selected: %s", asAll.get(i).key(), asAll.get(i).promQl())
                    .isEqualTo(labelSets(query(asEveryValue.get(i).promQl(), settled)));
        }
    }

    @Test
    void everyAlertRuleLoadsHealthyAndStaysQuietOnAHealthyStack() throws InterruptedException {
        List<String> alerts = DashboardFiles.alertNames(DashboardFiles.root());
        JsonNode groups = Await.until(PATIENCE, prometheus::ruleGroups,
                loaded -> loaded.findValuesAsText("health").size() == alerts.size()
                        && loaded.findValuesAsText("health").stream().noneMatch("unknown"::equals),
                "every rule evaluated once");
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as("health of %s: %s", rule.path("name"), rule)
                        .isEqualTo("ok");
                assertThat(rule.path("state").asText()).as("state of %s: %s", rule.path("name"), rule)
                        .isEqualTo("inactive");
            }
        }
        assertThat(groups.findValuesAsText("name")).as("rules loaded").containsAll(alerts);
    }

    @Test
    void everySeriesAnAlertRuleSelectsExists() throws InterruptedException {
        List<DashboardFiles.Expression> rules = new ArrayList<>();
        for (Path file : DashboardFiles.prometheusRuleFiles(DashboardFiles.root())) {
            rules.addAll(DashboardFiles.ruleExpressions(file, DashboardFiles.read(DashboardFiles.YAML, file)));
        }
        Map<String, String> selectors = new LinkedHashMap<>();
        for (DashboardFiles.Expression rule : rules) {
            selectors(rule.promQl()).forEach(selector -> selectors.put(selector, rule.where()));
        }
        assertThat(selectors).as("selectors in the rules").hasSizeGreaterThanOrEqualTo(rules.size());

        // A label matcher no series satisfies (a misspelt status, a queue pattern no host has) would leave its alert
        // silent for ever: promtool's tests cannot see that, since they write the series themselves.
        Await.until(PATIENCE, () -> selectors.entrySet().stream().filter(entry -> query(entry.getKey()).isEmpty())
                        .map(entry -> entry.getValue() + ": " + entry.getKey()).toList(),
                List::isEmpty, "every selector in the alert rules to match series");
    }

    /** A panel's query as Grafana would send it, and where it is. */
    private record Panel(String key, String promQl) {}

    /** A query variable with its values now, and what Grafana puts in a query for All. */
    private record Variable(String name, String allValue, List<String> values) {
        /** Selecting every value one by one. */
        String everyValue() {
            return alternation(values);
        }
    }

    /**
     * Every panel query of every dashboard with Grafana's variables in: {@code $__rate_interval}, and each query
     * variable as {@code chosen} gives it or else as All, which a provisioned dashboard starts with.
     */
    private static List<Panel> panels(Map<String, String> chosen) {
        Map<String, Variable> variables = queryVariables();
        List<Panel> panels = new ArrayList<>();
        for (Path file : DashboardFiles.grafanaDashboards(DashboardFiles.root())) {
            String dashboard = file.getFileName().toString();
            for (DashboardFiles.Expression expression : DashboardFiles.dashboardExpressions(file,
                    DashboardFiles.read(DashboardFiles.JSON, file))) {
                if (!expression.where().startsWith("panel ")) {
                    continue;
                }
                String promQl = substitute(expression.promQl(), "__rate_interval", RATE_INTERVAL.toSeconds() + "s");
                for (Map.Entry<String, Variable> variable : variables.entrySet()) {
                    if (variable.getKey().startsWith(dashboard + " $")) {
                        promQl = substitute(promQl, variable.getValue().name(),
                                chosen.getOrDefault(variable.getKey(), variable.getValue().allValue()));
                    }
                }
                panels.add(new Panel(dashboard + ": " + expression.where(), promQl));
            }
        }
        return panels;
    }

    /** Each dashboard's query variables, keyed "file $name", with the values their query finds in Prometheus. */
    private static Map<String, Variable> queryVariables() {
        Map<String, Variable> variables = new TreeMap<>();
        for (Path file : DashboardFiles.grafanaDashboards(DashboardFiles.root())) {
            for (JsonNode variable : DashboardFiles.read(DashboardFiles.JSON, file).path("templating").path("list")) {
                if (!variable.path("type").asText().equals("query")) {
                    continue;
                }
                String name = variable.path("name").asText();
                assertThat(variable.path("includeAll").asBoolean() && variable.path("current").path("value")
                        .toString().contains("$__all")).as("%s $%s starts at All, the only default substituted here",
                        file, name).isTrue();
                String definition = variable.path("definition").asText();
                Matcher labelValues = LABEL_VALUES.matcher(definition);
                assertThat(labelValues.matches()).as("%s $%s is label_values(selector, label): %s", file, name,
                        definition).isTrue();
                List<String> values = prometheus.labelValues(labelValues.group(2), labelValues.group(1), scrapedSince,
                        Instant.now());
                // Without an allValue of its own, All is every value the query found.
                String allValue = variable.path("allValue").asText("");
                variables.put(file.getFileName() + " $" + name,
                        new Variable(name, allValue.isEmpty() ? alternation(values) : allValue, values));
            }
        }
        return variables;
    }

    /** {@code $name} and {@code ${name}}, Grafana's two spellings in a query. */
    private static String substitute(String promQl, String name, String value) {
        return promQl.replaceAll("\\$\\{" + Pattern.quote(name) + "}|\\$" + Pattern.quote(name) + "\\b",
                Matcher.quoteReplacement(value));
    }

    /** Grafana puts several values of a variable into a query as a regex alternation. */
    private static String alternation(List<String> values) {
        return values.stream().map(PrometheusDashboardsIT::regexEscape).collect(Collectors.joining("|", "(", ")"));
    }

    /**
     * Grafana escapes each value of a multi-value variable for a regex inside a PromQL string, where the regex's
     * backslash is written twice.
     */
    private static String regexEscape(String value) {
        return value.replaceAll("[\\\\^$.|?*+()\\[\\]{}]", "\\\\\\\\$0");
    }

    private static JsonNode query(String promQl) {
        return query(promQl, Instant.now());
    }

    private static JsonNode query(String promQl, Instant end) {
        return prometheus.queryRange(promQl, scrapedSince, end, STEP);
    }

    /** Some series has a value that is a number: a panel of NaN draws nothing. */
    private static boolean hasValue(JsonNode matrix) {
        for (JsonNode series : matrix) {
            for (JsonNode point : series.path("values")) {
                if (!point.path(1).asText().equals("NaN")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> labelSets(JsonNode matrix) {
        Set<String> labelSets = new TreeSet<>();
        matrix.forEach(series -> labelSets.add(series.path("metric").toString()));
        return labelSets;
    }

    /** The vector selectors of an expression ({@code name{matchers}}), without their ranges. */
    private static List<String> selectors(String promQl) {
        List<String> selectors = new ArrayList<>();
        for (String name : PromQlNames.of(promQl)) {
            Matcher selector = Pattern.compile("(?<![\\w:])" + Pattern.quote(name) + "(?![\\w:])\\s*(\\{[^}]*})?")
                    .matcher(promQl);
            while (selector.find()) {
                selectors.add(selector.group().replaceAll("\\s+", ""));
            }
        }
        return selectors;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
