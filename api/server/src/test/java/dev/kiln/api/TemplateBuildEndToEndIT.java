package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
