package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shape of {@code dashboards/}: every dashboard loads, is provisioning-ready and queries through its
 * {@code DS_PROMETHEUS} variable; the rules hold the five alerts. Whether their metric names are really exported
 * is {@link DashboardsIT}'s question, which needs the running processes.
 */
class DashboardsTest {
    private static final Path ROOT = DashboardFiles.root();

    @Test
    void everyDashboardIsProvisioningReadyAndQueriesThroughTheDataSourceVariable() {
        List<Path> dashboards = DashboardFiles.grafanaDashboards(ROOT);
        assertThat(dashboards).extracting(path -> path.getFileName().toString())
                .contains("builds.json", "hosts.json", "golden.json");
        List<String> uids = new ArrayList<>();
        for (Path file : dashboards) {
            JsonNode dashboard = DashboardFiles.read(DashboardFiles.JSON, file);
            assertThat(dashboard.path("id").isNull()).as("%s: a provisioned dashboard has no id", file).isTrue();
            assertThat(dashboard.path("uid").asText()).as("%s uid", file).isNotEmpty();
            uids.add(dashboard.path("uid").asText());
            assertThat(dashboard.path("templating").path("list").findValuesAsText("name")).as("%s variables", file)
                    .contains("DS_PROMETHEUS");
            for (JsonNode panel : dashboard.path("panels")) {
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.path("datasource").path("uid").asText())
                        .as("%s panel %s", file, panel.path("title")).isEqualTo("${DS_PROMETHEUS}");
                assertThat(panel.path("targets")).as("%s panel %s", file, panel.path("title")).isNotEmpty();
            }
            assertThat(DashboardFiles.dashboardExpressions(file, dashboard))
                    .allSatisfy(expression -> assertThat(PromQlNames.of(expression.promQl()))
                            .as("%s %s reads some metric", file, expression.where()).isNotEmpty());
        }
        assertThat(uids).doesNotHaveDuplicates();
    }

    @Test
    void alertRulesHoldTheFiveAlertsEachReadingSomeMetric() {
        List<Path> ruleFiles = DashboardFiles.prometheusRuleFiles(ROOT);
        assertThat(ruleFiles).extracting(path -> path.getFileName().toString()).contains("alerts.yml");
        List<String> alerts = new ArrayList<>();
        for (Path file : ruleFiles) {
            for (DashboardFiles.Expression rule : DashboardFiles.ruleExpressions(file,
                    DashboardFiles.read(DashboardFiles.YAML, file))) {
                alerts.add(rule.where());
                assertThat(PromQlNames.of(rule.promQl())).as("%s %s", file, rule.where()).isNotEmpty();
            }
        }
        assertThat(alerts).contains("alert KilnHostUnreachable", "alert KilnBuildStuckPastDeadline",
                "alert KilnScheduleToStartHigh", "alert KilnGoldenBuildFailures", "alert KilnMetricsDatabaseUnreadable");
    }
}
