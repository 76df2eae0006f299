package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.activities.docker.StepCache;
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

/**
 * The per-step layer cache (issue #16) through kiln-api, a real kiln-host, Temporal, PostgreSQL and Docker: a rebuild
 * of the same steps takes them from the host's cache and says so in the build view; a changed step reruns from there;
 * no_cache reruns everything. The host's cache images are removed afterwards with the templates.
 */
class StepCacheEndToEndIT {
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");
    private static final List<String> RECIPE = List.of(
            "RUN echo one > /one", "ENV WORD=two", "RUN echo $WORD > /two", "RUN cat /one /two > /both");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> IMAGES_TO_REMOVE = new ArrayList<>();
    private static HostProcess host;

    @BeforeAll
    static void startAHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
    }

    @AfterAll
    static void stopTheHostAndRemoveTemplatesAndTheCache() throws InterruptedException {
        host.close();
        DockerCommands.removeImages(DOCKER, IMAGES_TO_REMOVE);
        StepCache.removeAll(DOCKER, new HostLabels(host.hostId()));
    }

    @Test
    void aRebuildTakesItsStepsFromTheCacheAChangedStepRerunsFromThereAndNoCacheRerunsAll() throws Exception {
        JsonNode first = build(RECIPE, false);
        assertThat(cachedFlags(first)).containsExactly(false, false, false, false);

        JsonNode cached = build(RECIPE, false);
        assertThat(cachedFlags(cached)).containsExactly(true, true, true, true);
        assertThat(cached.path("steps").get(0).path("ok").asBoolean()).isTrue();
        assertThat(DockerCommands.runInImage(imageOf(cached), "sh", "-c", "cat /both"))
                .isEqualTo(DockerCommands.runInImage(imageOf(first), "sh", "-c", "cat /both")).isEqualTo("one\ntwo\n");

        JsonNode fresh = build(RECIPE, true);
        assertThat(cachedFlags(fresh)).containsExactly(false, false, false, false);

        JsonNode changed = build(List.of(RECIPE.get(0), "ENV WORD=TWO", RECIPE.get(2), RECIPE.get(3)), false);
        assertThat(cachedFlags(changed)).containsExactly(true, false, false, false);
        assertThat(DockerCommands.runInImage(imageOf(changed), "sh", "-c", "cat /both")).isEqualTo("one\nTWO\n");
    }

    private static JsonNode build(List<String> recipe, boolean noCache) throws InterruptedException {
        String name = "cache-" + UUID.randomUUID().toString().substring(0, 8);
        ApiTestClient.Reply submitted = STACK.client().post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", name, "skip_pre_post", true, "no_cache", noCache, "recipe", recipe));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        JsonNode build = Await.until(Duration.ofMinutes(4),
                () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                body -> TERMINAL.contains(body.path("status").asText()), "build " + buildId + " to finish");
        assertThat(build.path("status").asText()).as("build %s", build).isEqualTo("success");
        // Every build's template, including those the test never runs: the no_cache one was left on the engine.
        IMAGES_TO_REMOVE.add(imageOf(build));
        return build;
    }

    private static List<Boolean> cachedFlags(JsonNode build) {
        List<Boolean> flags = new ArrayList<>();
        build.path("steps").forEach(step -> flags.add(step.path("cached").asBoolean()));
        return flags;
    }

    private static String imageOf(JsonNode build) {
        return "kiln/" + build.path("template_id").asText() + ":latest";
    }
}
