package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.db.Ids;
import dev.kiln.db.ProjectDao;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every metric name a Grafana dashboard or a Prometheus rule in {@code dashboards/} reads is one that kiln-api or
 * kiln-host really exports, as a scrape of both after a build shows.
 */
class DashboardsIT {
    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static HostProcess host;
    private static String image;

    @BeforeAll
    static void registerAHostAndRunABuild() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        image = MetricsIT.runOneStepBuild(STACK);
        recordReadyGolden(STACK, host.hostId());
    }

    /**
     * A golden row, so that kiln_golden_size_bytes has a series: it exports one per golden a host holds, and
     * building a real golden needs a Docker daemon per build, which GoldenCacheIT covers.
     */
    static void recordReadyGolden(KilnApiStack stack, String hostId) {
        ProjectDao projects = stack.database().jdbi().onDemand(ProjectDao.class);
        Instant now = Instant.now();
        projects.upsert("prj-dashboards-it", Ids.PLATFORM_TEAM_ID, "dashboards-it", "true", false, now);
        projects.markBuilding("prj-dashboards-it", hostId, "gb-dashboards-it", now);
        projects.markReady("prj-dashboards-it", hostId, "gb-dashboards-it", 1, 4096, now);
    }

    @AfterAll
    static void stopHostAndRemoveImage() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        if (image != null) {
            DockerCommands.removeImages(DOCKER, List.of(image));
        }
    }

    @Test
    void everyMetricTheDashboardsAndAlertsReadIsExported() throws Exception {
        String hostQueue = "host-" + host.hostId();
        Await.until(MetricsIT.METRICS_PATIENCE, () -> Scrape.fetch(STACK.adminPort()),
                scrape -> scrape.names().contains(MetricsIT.SCHEDULE_TO_START), "kiln-api's Temporal metrics");
        Await.until(MetricsIT.METRICS_PATIENCE, () -> Scrape.fetch(host.adminPort()),
                scrape -> scrape.samples(MetricsIT.SCHEDULE_TO_START).stream()
                        .anyMatch(sample -> hostQueue.equals(sample.labels().get("task_queue"))),
                "kiln-host's Temporal metrics");
        List<DashboardFiles.Expression> expressions = DashboardFiles.expressions(DashboardFiles.root());
        assertThat(expressions).as("expressions in %s", DashboardFiles.root()).hasSizeGreaterThan(20);

        // The SDK registers some gauges (pollers, slots in use) only at its first report after the worker's polls
        // change, which can come a few seconds after the first task: scrape again until every name shows up or the
        // patience runs out, rather than judge the first scrape.
        Set<String> exported = new TreeSet<>();
        Await.until(MetricsIT.METRICS_PATIENCE, () -> {
            exported.addAll(Scrape.fetch(STACK.adminPort()).names());
            exported.addAll(Scrape.fetch(host.adminPort()).names());
            writeExportedNames(exported);
            return DashboardFiles.unknownNames(expressions, exported);
        }, Map::isEmpty, "every metric name read by dashboards/ to be exported by kiln-api or kiln-host (the names"
                + " exported: target/exported-metric-names.txt)");
    }

    /** Kept for whoever edits a dashboard next: the names as they come out of a real scrape. */
    private static void writeExportedNames(Set<String> exported) {
        try {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "exported-metric-names.txt"), exported);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
