package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kiln-api + a real kiln-host process + Temporal dev server + PostgreSQL + Docker, end to end. */
class TemplateBuildEndToEndIT {
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> IMAGES_TO_REMOVE = new ArrayList<>();
    private static HostProcess host;
    private static String hostId;

    @BeforeAll
    static void registerAHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        hostId = host.hostId();
    }

    @AfterAll
    static void stopHostAndRemoveImages() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        DockerCommands.removeImages(DOCKER, IMAGES_TO_REMOVE);
    }

    @Test
    void registeredHostKeepsItsCredentialsOwnerReadableOnly() throws IOException {
        Path credentials = host.stateDir().resolve("host-credentials.json");
        assertThat(Files.getPosixFilePermissions(credentials)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(credentials)).contains(hostId);
    }

    @Test
    void threeStepRecipeBuildsATemplateImageWhoseFilesystemHasTheStepsWork() throws Exception {
        String name = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        // skip_pre_post keeps this the plain three-step slice: root, no package or user set-up around it.
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey, Map.of(
                "name", name,
                "skip_pre_post", true,
                "recipe", List.of(
                        "RUN echo hello from kiln > /greeting",
                        "RUN mkdir -p /opt/app && cp /greeting /opt/app/copy",
                        "RUN cat /opt/app/copy")));
        assertThat(submitted.status()).isEqualTo(202);
        assertThat(submitted.body().path("status").asText()).isIn("pending", "running");
        assertThat(submitted.body().path("total_steps").asInt()).isEqualTo(3);
        String buildId = submitted.body().path("id").asText();

        JsonNode build = awaitTerminal(buildId);

        assertThat(build.path("status").asText()).as("build %s", build).isEqualTo("success");
        assertThat(build.path("host_id").asText()).isEqualTo(hostId);
        assertThat(build.path("current_step").asInt()).isEqualTo(3);
        JsonNode steps = build.path("steps");
        assertThat(steps).hasSize(3);
        for (JsonNode step : steps) {
            assertThat(step.path("ok").asBoolean()).as("step %s", step).isTrue();
            assertThat(step.path("exit_code").asInt()).isZero();
            assertThat(step.path("elapsed_ms").isNumber()).isTrue();
        }
        assertThat(steps.get(2).path("stdout").asText()).isEqualTo("hello from kiln\n");

        String templateId = build.path("template_id").asText();
        String image = "kiln/" + templateId + ":latest";
        IMAGES_TO_REMOVE.add(image);
        assertThat(DOCKER.inspectImageCmd(image).exec().getConfig().getLabels()).containsEntry("kiln.build", buildId);
        assertThat(DockerCommands.runInImage(image, "cat", "/opt/app/copy")).isEqualTo("hello from kiln\n");

        JsonNode templates = STACK.client().get("/v1/templates", STACK.adminKey).body();
        assertThat(templates.findValuesAsText("name")).contains(name, "minimal");
        assertThat(templates.get(0).path("name").asText()).as("newest first").isEqualTo(name);
        assertNoContainerLabelled(buildId);
    }

    @Test
    void failingStepFailsTheBuildNamingTheStepAndItsStderrAndLeavesNoContainer() throws Exception {
        String name = "e2e-fail-" + UUID.randomUUID().toString().substring(0, 8);
        // skip_pre_post keeps this the plain three-step slice: root, no package or user set-up around it.
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey, Map.of(
                "name", name,
                "skip_pre_post", true,
                "recipe", List.of("RUN echo starting", "RUN echo disk on fire >&2; exit 3", "RUN echo never")));
        String buildId = submitted.body().path("id").asText();

        JsonNode build = awaitTerminal(buildId);

        assertThat(build.path("status").asText()).isEqualTo("failed");
        assertThat(build.path("error").path("step").asInt()).isEqualTo(2);
        assertThat(build.path("error").path("message").asText()).isEqualTo("recipe step 2 failed: disk on fire");
        assertThat(build.path("steps")).hasSize(2);
        assertThat(build.path("steps").get(1).path("exit_code").asInt()).isEqualTo(3);
        assertThat(build.path("steps").get(1).path("ok").asBoolean()).isFalse();
        assertThat(build.has("template_id")).isFalse();
        assertThat(STACK.client().get("/v1/templates", STACK.adminKey).body().findValuesAsText("name")).doesNotContain(name);
        assertNoContainerLabelled(buildId);
    }

    /**
     * The step prints the host's uptime (the container shares the host's kernel) once a second; each line's age when
     * its {@code log} event arrives is how long output takes from a running step to a client of the API.
     */
    @Test
    void aRunningStepsOutputArrivesAsLiveLogEventsBeforeTheStepEnds() throws Exception {
        String name = "e2e-live-" + UUID.randomUUID().toString().substring(0, 8);
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey, Map.of(
                "name", name,
                "skip_pre_post", true,
                "recipe", List.of("RUN for i in 1 2 3 4 5 6 7 8; do echo \"up $(cut -d' ' -f1 /proc/uptime)\"; "
                        + "sleep 1; done; echo \"err $(cut -d' ' -f1 /proc/uptime)\" >&2; sleep 3")));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(
                STACK.client().request("/v1/admin/builds/" + buildId + "/events", STACK.adminKey)
                        .header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);

        List<Double> latencies = new ArrayList<>();
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        boolean stepEnded = false;
        boolean logBeforeStepEnd = false;
        String event = null;
        for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (line.startsWith("event: ")) {
                event = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                JsonNode data = JSON.readTree(line.substring("data: ".length()));
                if ("log".equals(event)) {
                    double now = uptime();
                    logBeforeStepEnd |= !stepEnded;
                    String text = data.path("text").asText();
                    ("stderr".equals(data.path("stream").asText()) ? stderr : stdout).append(text);
                    Matcher printed = PRINTED_AT.matcher(text);
                    while (printed.find()) {
                        latencies.add(now - Double.parseDouble(printed.group(1)));
                    }
                } else if ("step-end".equals(event)) {
                    stepEnded = true;
                } else if ("status".equals(event) && TERMINAL.contains(data.path("status").asText())) {
                    assertThat(data.path("status").asText()).as("%s", data).isEqualTo("success");
                    break;
                }
            }
        }
        IMAGES_TO_REMOVE.add("kiln/" + awaitTerminal(buildId).path("template_id").asText() + ":latest");

        assertThat(logBeforeStepEnd).as("a log event arrived while the step ran").isTrue();
        assertThat(stdout.toString()).as("every line once, in order").matches("(up [0-9.]+\n){8}");
        assertThat(stderr.toString()).startsWith("err ");
        Collections.sort(latencies);
        System.out.printf("live log latency over %d lines: min %.2f s, median %.2f s, max %.2f s%n", latencies.size(),
                latencies.get(0), latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
        // Each heartbeat is at most about a second behind the output, and sent at most a second after; the API
        // polls twice a second. The bound leaves room for a busy CI machine.
        assertThat(latencies.get(latencies.size() / 2)).as("median latency in seconds").isLessThan(3.0);
    }

    private static final Pattern PRINTED_AT = Pattern.compile("(?:up|err) ([0-9]+\\.[0-9]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double uptime() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    private static JsonNode awaitTerminal(String buildId) throws InterruptedException {
        return Await.until(Duration.ofMinutes(3),
                () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                body -> TERMINAL.contains(body.path("status").asText()),
                "build " + buildId + " to finish");
    }

    /** Cleanup runs after the workflow records the result, so give it a moment rather than racing it. */
    private static void assertNoContainerLabelled(String buildId) throws InterruptedException {
        Await.until(Duration.ofSeconds(30),
                () -> DOCKER.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of("kiln.build", buildId)).exec().size(),
                count -> count == 0,
                "no container labelled kiln.build=" + buildId);
    }
}
