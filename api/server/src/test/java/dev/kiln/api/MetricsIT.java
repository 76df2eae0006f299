package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kiln-api and a real kiln-host serve Prometheus metrics on their admin ports, with the values a build leaves. */
class MetricsIT {
    /** The SDK flushes its counters every 5 s and Prometheus-side timers appear on first use: allow for both. */
    static final Duration METRICS_PATIENCE = Duration.ofSeconds(60);
    static final String SCHEDULE_TO_START = "temporal_activity_schedule_to_start_latency_seconds_count";

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static HostProcess host;
    private static String image;

    @BeforeAll
    static void registerAHostAndRunABuild() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        image = runOneStepBuild(STACK);
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
    void apiExportsFleetGaugesBuildHistogramsAndTemporalWorkerMetrics() throws Exception {
        Scrape api = Await.until(METRICS_PATIENCE, () -> Scrape.fetch(STACK.adminPort()),
                scrape -> scrape.names().contains(SCHEDULE_TO_START), "the control worker's Temporal metrics");

        assertThat(api.contentType()).startsWith("text/plain; version=0.0.4");
        assertThat(api.value("kiln_hosts", Map.of("status", "online"))).isEqualTo(1);
        assertThat(api.value("kiln_hosts", Map.of("status", "unreachable"))).isZero();
        assertThat(api.value("kiln_host_heartbeat_age_seconds", Map.of("host", host.hostId())))
                .isBetween(0.0, 30.0);
        assertThat(api.value("kiln_builds", Map.of("status", "success"))).isEqualTo(1);
        assertThat(api.value("kiln_builds", Map.of("status", "running"))).isZero();
        assertThat(api.value("kiln_builds_running_past_deadline", Map.of())).isZero();
        assertThat(api.value("kiln_sandboxes", Map.of("status", "running"))).isZero();
        assertThat(api.value("kiln_golden_hosts", Map.of("status", "ready"))).isZero();
        assertThat(api.value("kiln_golden_builds_total", Map.of("status", "failed"))).isZero();
        assertThat(api.samples("kiln_golden_size_bytes")).isEmpty();

        for (String phase : List.of("queue", "recipe", "publish", "total")) {
            assertThat(api.value("kiln_build_duration_seconds_count", Map.of("phase", phase, "status", "success")))
                    .as("builds counted in phase %s", phase).isEqualTo(1);
        }
        assertThat(api.value("kiln_build_duration_seconds_count", Map.of("phase", "prebuild", "status", "success")))
                .as("skip_pre_post has no pre-build phase").isZero();
        double total = api.value("kiln_build_duration_seconds_sum", Map.of("phase", "total", "status", "success"));
        double recipe = api.value("kiln_build_duration_seconds_sum", Map.of("phase", "recipe", "status", "success"));
        assertThat(total).isPositive().isGreaterThanOrEqualTo(recipe);
        assertThat(api.value("kiln_build_duration_seconds_bucket",
                Map.of("phase", "total", "status", "success", "le", "+Inf"))).isEqualTo(1);
        assertThat(api.value("kiln_build_step_duration_seconds_count", Map.of("phase", "recipe"))).isEqualTo(1);

        assertThat(api.value(SCHEDULE_TO_START, Map.of("task_queue", STACK.controlTaskQueue))).isPositive();
    }

    @Test
    void hostExportsItsQueuesScheduleToStartAndGoldenCopyCounters() throws Exception {
        String hostQueue = "host-" + host.hostId();
        Scrape scrape = Await.until(METRICS_PATIENCE, () -> Scrape.fetch(host.adminPort()),
                candidate -> candidate.samples(SCHEDULE_TO_START).stream()
                        .anyMatch(sample -> hostQueue.equals(sample.labels().get("task_queue"))),
                "schedule-to-start of " + hostQueue);

        assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
        assertThat(scrape.value(SCHEDULE_TO_START, Map.of("task_queue", hostQueue))).isPositive();
        assertThat(scrape.value("kiln_golden_copy_bytes_total", Map.of())).isZero();
        assertThat(scrape.value("kiln_golden_copy_seconds_total", Map.of())).isZero();
        assertThat(scrape.names()).as("the host holds no database: fleet gauges are kiln-api's")
                .doesNotContain("kiln_hosts");
    }

    /** Submits a one-step build (no pre- or post-build phase) and waits for its success; returns its image. */
    static String runOneStepBuild(KilnApiStack stack) throws InterruptedException {
        ApiTestClient.Reply submitted = stack.client().post("/v1/admin/builds", stack.adminKey, Map.of(
                "name", "metrics-" + UUID.randomUUID().toString().substring(0, 8),
                "skip_pre_post", true,
                "recipe", List.of("RUN echo metrics")));
        assertThat(submitted.status()).as("submit: %s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        JsonNode build = Await.until(Duration.ofMinutes(3),
                () -> stack.client().get("/v1/admin/builds/" + buildId, stack.adminKey).body(),
                body -> Set.of("success", "failed", "cancelled").contains(body.path("status").asText()),
                "build " + buildId + " to finish");
        assertThat(build.path("status").asText()).as("build %s", build).isEqualTo("success");
        return "kiln/" + build.path("template_id").asText() + ":latest";
    }
}
