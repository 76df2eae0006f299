package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void plainSelectorIsItsOwnName() {
        assertThat(PromQlNames.of("kiln_hosts")).containsExactly("kiln_hosts");
    }

    @Test
    void functionsAggregationsLabelsRangesAndNumbersAreNotNames() {
        assertThat(PromQlNames.of("""
                histogram_quantile(0.95, sum by (le, task_queue) (
                  rate(temporal_activity_schedule_to_start_latency_seconds_bucket{task_queue=~"host-.*"}[5m])
                )) > 10""")).containsExactly("temporal_activity_schedule_to_start_latency_seconds_bucket");
    }

    @Test
    void bothSidesOfABinaryOperationAreRead() {
        assertThat(PromQlNames.of("sum by (phase) (rate(kiln_build_duration_seconds_sum{phase!=\"total\"}[$__rate_interval]))"
                + " / sum by (phase) (rate(kiln_build_duration_seconds_count{phase!=\"total\"}[$__rate_interval]))"))
                .containsExactly("kiln_build_duration_seconds_count", "kiln_build_duration_seconds_sum");
    }

    @Test
    void keywordsGroupingModifiersOffsetsAndGrafanaVariablesAreSkipped() {
        assertThat(PromQlNames.of("max(kiln_hosts{status=\"unreachable\"}) > bool 0 and on (instance) "
                + "kiln_sandboxes offset 5m unless ignoring(status) group_left kiln_builds{host=~\"$host\"} * 1e3"))
                .containsExactly("kiln_builds", "kiln_hosts", "kiln_sandboxes");
        assertThat(PromQlNames.of("sum(kiln_golden_size_bytes) without (project) + ${threshold}"))
                .containsExactly("kiln_golden_size_bytes");
    }

    @Test
    void labelValuesReadsTheMetricNotTheLabel() {
        assertThat(PromQlNames.of("label_values(temporal_num_pollers{task_queue=~\"host-.*\"}, task_queue)"))
                .containsExactly("temporal_num_pollers");
        assertThat(PromQlNames.of("label_values(task_queue)")).isEmpty();
    }

    @Test
    void aStringThatLooksLikeANameIsNotOne() {
        assertThat(PromQlNames.of("label_replace(kiln_hosts, \"x\", \"not_a_metric\", \"status\", \"(.*)\")"))
                .containsExactly("kiln_hosts");
    }

    /** The check the dashboards test makes must fail on a name that no process exports. */
    @Test
    void aDashboardUsingAnUnknownNameIsReported() throws Exception {
        JsonNode dashboard = DashboardFiles.JSON.readTree("""
                {"panels": [
                  {"title": "fine", "targets": [{"expr": "max by (status) (kiln_hosts)"}]},
                  {"title": "row", "type": "row", "panels": [
                    {"title": "typo", "targets": [{"expr": "rate(kiln_golden_bulids_total[5m])"}]}]}],
                 "templating": {"list": [
                   {"name": "queue", "type": "query", "query": {"query": "label_values(temporal_nope, task_queue)"}}]}}
                """);
        List<DashboardFiles.Expression> expressions =
                DashboardFiles.dashboardExpressions(Path.of("broken.json"), dashboard);

        assertThat(DashboardFiles.unknownNames(expressions, Set.of("kiln_hosts", "kiln_golden_builds_total")))
                .containsOnlyKeys("broken.json: panel typo", "broken.json: variable queue")
                .containsEntry("broken.json: panel typo", Set.of("kiln_golden_bulids_total"))
                .containsEntry("broken.json: variable queue", Set.of("temporal_nope"));
    }

    @Test
    void anAlertRuleUsingAnUnknownNameIsReported() throws Exception {
        JsonNode rules = DashboardFiles.YAML.readTree("""
                groups:
                  - name: g
                    rules:
                      - alert: Fine
                        expr: max(kiln_hosts{status="unreachable"}) > 0
                      - alert: Broken
                        expr: kiln_host_unreachable > 0
                """);

        assertThat(DashboardFiles.unknownNames(DashboardFiles.ruleExpressions(Path.of("alerts.yml"), rules),
                Set.of("kiln_hosts"))).containsExactly(java.util.Map.entry("alerts.yml: alert Broken",
                        Set.of("kiln_host_unreachable")));
    }
}
