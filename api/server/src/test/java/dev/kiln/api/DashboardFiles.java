package dev.kiln.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The repository's {@code dashboards/}: every Grafana dashboard ({@code grafana/**.json}), every Prometheus
 * rules file ({@code prometheus/**.yml} with {@code groups}) and configuration ({@code prometheus/**.yml} with
 * {@code scrape_configs}), the promtool unit tests of the rules ({@code tests/**_test.yml}), and the PromQL
 * expressions they hold.
 */
final class DashboardFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** An expression and where it is: the file and the panel title or alert name. */
    record Expression(Path file, String where, String promQl) {}

    private DashboardFiles() {}

    /** {@code ../../dashboards} from api/server, where Maven runs its tests; {@code kiln.dashboards} overrides. */
    static Path root() {
        return Path.of(System.getProperty("kiln.dashboards", "../../dashboards")).toAbsolutePath().normalize();
    }

    static List<Path> grafanaDashboards(Path root) {
        return files(root.resolve("grafana"), ".json");
    }

    static List<Path> prometheusRuleFiles(Path root) {
        return files(root.resolve("prometheus"), ".yml").stream().filter(file -> read(YAML, file).has("groups"))
                .toList();
    }

    static List<Path> prometheusConfigs(Path root) {
        return files(root.resolve("prometheus"), ".yml").stream()
                .filter(file -> read(YAML, file).has("scrape_configs")).toList();
    }

    static List<Path> ruleTests(Path root) {
        return files(root.resolve("tests"), "_test.yml");
    }

    /** The names of the alerts in every rules file. */
    static List<String> alertNames(Path root) {
        List<String> alerts = new ArrayList<>();
        for (Path file : prometheusRuleFiles(root)) {
            for (JsonNode group : read(YAML, file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        alerts.add(rule.path("alert").asText());
                    }
                }
            }
        }
        return alerts;
    }

    static List<Expression> expressions(Path root) {
        List<Expression> expressions = new ArrayList<>();
        for (Path dashboard : grafanaDashboards(root)) {
            expressions.addAll(dashboardExpressions(dashboard, read(JSON, dashboard)));
        }
        for (Path rules : prometheusRuleFiles(root)) {
            expressions.addAll(ruleExpressions(rules, read(YAML, rules)));
        }
        return expressions;
    }

    static List<Expression> dashboardExpressions(Path file, JsonNode dashboard) {
        List<Expression> expressions = new ArrayList<>();
        collectPanels(file, dashboard.path("panels"), expressions);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                String promQl = query.isObject() ? query.path("query").asText() : query.asText();
                expressions.add(new Expression(file, "variable " + variable.path("name").asText(), promQl));
            }
        }
        return expressions;
    }

    private static void collectPanels(Path file, JsonNode panels, List<Expression> expressions) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    expressions.add(new Expression(file, "panel " + panel.path("title").asText(),
                            target.path("expr").asText()));
                }
            }
            collectPanels(file, panel.path("panels"), expressions); // collapsed rows hold their panels
        }
    }

    static List<Expression> ruleExpressions(Path file, JsonNode rules) {
        List<Expression> expressions = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? "alert " + rule.path("alert").asText()
                        : "record " + rule.path("record").asText();
                expressions.add(new Expression(file, name, rule.path("expr").asText()));
            }
        }
        return expressions;
    }

    /** Each expression's names that are not in {@code exported}, keyed by where the expression is. */
    static Map<String, Set<String>> unknownNames(List<Expression> expressions, Set<String> exported) {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        for (Expression expression : expressions) {
            Set<String> missing = new TreeSet<>(PromQlNames.of(expression.promQl()));
            missing.removeAll(exported);
            if (!missing.isEmpty()) {
                unknown.put(expression.file().getFileName() + ": " + expression.where(), missing);
            }
        }
        return unknown;
    }

    static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(file -> file.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
