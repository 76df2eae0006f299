package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.db.Ids;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Versions, tags, rollback and revocation through the API, with builds, snapshots and sandboxes run by a real
 * kiln-host on Docker, over PostgreSQL and the Temporal dev server. Each sandbox's container is inspected to show
 * which version's image it runs.
 */
class TemplateVersionsEndToEndIT {
    private static final Duration SLOW = Duration.ofMinutes(3);

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> IMAGES_TO_REMOVE = new ArrayList<>();
    /** Sandbox id to the key that made it: each test destroys its own, or the host runs out of room for the next. */
    private static final Map<String, String> SANDBOXES = new ConcurrentHashMap<>();
    private static final List<String> ALL_SANDBOXES = new ArrayList<>();
    private static HostProcess host;
    private static ApiTestClient api;
    private static String teamKey;

    @BeforeAll
    static void registerAHostAndATeam() throws Exception {
        api = STACK.client();
        host = HostProcess.registerAndStart(STACK);
        String teamId = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "acme")).body().path("id").asText();
        teamKey = api.post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "it")).body()
                .path("key").asText();
    }

    @AfterEach
    void destroySandboxes() {
        SANDBOXES.forEach((id, key) -> api.delete("/v1/sandboxes/" + id, key));
        SANDBOXES.clear();
    }

    @AfterAll
    static void stopHostAndRemoveWhatWasMade() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        // Only this test's sandboxes: the engine is shared with other stacks.
        for (String sandbox : ALL_SANDBOXES) {
            for (Container container : DockerCommands.containersOf(DOCKER, sandbox)) {
                try {
                    DOCKER.removeContainerCmd(container.getId()).withForce(true).exec();
                } catch (NotFoundException alreadyGone) {
                    // its workflow removed it
                }
            }
        }
        DockerCommands.removeImages(DOCKER, IMAGES_TO_REMOVE);
    }

    @Test
    void aRebuildMakesTheNextVersionAndAfterARollbackASandboxFromLatestRunsTheOldVersionsImage() throws Exception {
        String name = "ver-" + suffix();
        JsonNode first = build(name, null, "RUN echo one > /version");
        JsonNode second = build(name, null, "RUN echo two > /version");
        String v1Image = image(first);
        String v2Image = image(second);

        JsonNode versions = api.get("/v1/templates/" + name + "/versions", teamKey).body();
        assertThat(versions).extracting(version -> version.path("version").asInt()).containsExactly(2, 1);
        JsonNode v2 = versions.get(0);
        JsonNode v1 = versions.get(1);
        assertThat(v1.path("id").asText()).isEqualTo(first.path("template_id").asText());
        assertThat(v2.path("id").asText()).isEqualTo(second.path("template_id").asText()).isNotEqualTo(v1.path("id").asText());
        assertThat(v2.path("tags")).extracting(JsonNode::asText).containsExactly("latest");
        assertThat(v2.path("build_id").asText()).isEqualTo(second.path("id").asText());
        assertThat(v2.path("parent").path("template").asText()).isEqualTo("minimal");
        assertThat(v2.path("parent").path("version").asInt()).isEqualTo(1);
        assertThat(v2.path("recipe_sha256").asText()).isEqualTo(Ids.sha256Hex("RUN echo two > /version\n"));
        assertThat(v2.path("image_digest").asText()).isEqualTo(DOCKER.inspectImageCmd(v2Image).exec().getId());
        assertThat(v2.path("base_image_digest").asText())
                .isEqualTo(DOCKER.inspectImageCmd("kiln/minimal:latest").exec().getId());
        assertThat(imageOfSandbox(sandbox(teamKey, name))).isEqualTo(v2Image);
        String pinned = sandbox(teamKey, name + "@v1");
        assertThat(imageOfSandbox(pinned)).isEqualTo(v1Image);
        assertThat(exec(pinned, "cat /version")).isEqualTo("one\n");

        JsonNode rolledBack = api.post("/v1/templates/" + name + "/tags/latest/rollback", STACK.adminKey, Map.of()).body();
        assertThat(rolledBack.path("version").asInt()).as("%s", rolledBack).isEqualTo(1);

        String fromLatest = sandbox(teamKey, name);
        assertThat(imageOfSandbox(fromLatest)).isEqualTo(v1Image);
        assertThat(exec(fromLatest, "cat /version")).isEqualTo("one\n");
        JsonNode history = api.get("/v1/templates/" + name + "/tags/latest/history", teamKey).body();
        assertThat(history).extracting(move -> move.path("reason").asText() + " " + move.path("from_version").asText("-")
                + "->" + move.path("to_version").asInt()).containsExactly("rollback 2->1", "build 1->2", "build -->1");
        assertThat(api.get("/v1/sandboxes/" + fromLatest, teamKey).body().path("template_version").asInt()).isEqualTo(1);
    }

    @Test
    void aBuildOnATagOrAVersionRecordsTheVersionItStartedFromAsItsParent() throws Exception {
        String base = "base-" + suffix();
        JsonNode first = build(base, null, "RUN echo first > /base");
        build(base, null, "RUN echo second > /base");
        assertThat(api.put("/v1/templates/" + base + "/tags/stable", STACK.adminKey, Map.of("version", 1)).status())
                .isEqualTo(200);

        String child = "child-" + suffix();
        JsonNode fromStable = build(child, base + ":stable", "RUN cp /base /copied");
        build(child, base + "@v2", "RUN cp /base /copied");

        JsonNode versions = api.get("/v1/templates/" + child + "/versions", teamKey).body();
        assertThat(versions.get(1).path("parent").path("template").asText()).isEqualTo(base);
        assertThat(versions.get(1).path("parent").path("version").asInt()).isEqualTo(1);
        assertThat(versions.get(1).path("base_image_digest").asText())
                .isEqualTo(DOCKER.inspectImageCmd(image(first)).exec().getId());
        assertThat(versions.get(0).path("parent").path("version").asInt()).isEqualTo(2);
        assertThat(DockerCommands.runInImage(image(fromStable), "cat", "/copied")).isEqualTo("first\n");
    }

    @Test
    void aRevokedVersionIsRefusedForNewSandboxesAndBuildsWhileOneAlreadyRunningFromItGoesOn() throws Exception {
        String name = "revoked-" + suffix();
        build(name, null, "RUN echo kept > /version");
        String running = sandbox(teamKey, name);

        JsonNode revoked = api.post("/v1/templates/" + name + "/versions/v1/revoke", STACK.adminKey,
                Map.of("reason", "CVE-2024-0001")).body();
        assertThat(revoked.path("revoked").asBoolean()).as("%s", revoked).isTrue();

        ApiTestClient.Reply sandbox = api.post("/v1/sandboxes", teamKey, Map.of("template", name));
        assertThat(sandbox.status()).as("%s", sandbox.body()).isEqualTo(409);
        assertThat(sandbox.errorCode()).isEqualTo("revoked");
        assertThat(sandbox.errorMessage()).contains(name + "@v1 is revoked: CVE-2024-0001");
        assertThat(sandbox.body().path("error").path("version").asInt()).isEqualTo(1);
        ApiTestClient.Reply pinned = api.post("/v1/sandboxes", teamKey, Map.of("template", name + "@v1"));
        assertThat(pinned.errorCode()).isEqualTo("revoked");
        ApiTestClient.Reply build = api.post("/v1/admin/builds", STACK.adminKey, Map.of("name", "on-revoked-" + suffix(),
                "base_template", name, "skip_pre_post", true, "recipe", List.of("RUN true")));
        assertThat(build.status()).as("%s", build.body()).isEqualTo(409);
        assertThat(build.errorCode()).isEqualTo("revoked");
        assertThat(api.get("/v1/admin/builds", STACK.adminKey).body().findValuesAsText("base_template"))
                .as("nothing queued").doesNotContain(name);

        assertThat(exec(running, "cat /version")).isEqualTo("kept\n");
        assertThat(api.get("/v1/sandboxes/" + running, teamKey).body().path("status").asText()).isEqualTo("running");

        api.post("/v1/templates/" + name + "/versions/v1/restore", STACK.adminKey, null);
        assertThat(exec(sandbox(teamKey, name), "cat /version")).isEqualTo("kept\n");
    }

    @Test
    void aSnapshotIntoTheTeamsOwnNameMakesItsNextVersionWithTheSnapshottedSandboxsVersionAsParent() throws Exception {
        String name = "snapped-" + suffix();
        String source = sandbox(teamKey, "minimal");
        exec(source, "echo first > /state");
        JsonNode v1 = snapshot(source, name, null);
        String fromV1 = sandbox(teamKey, name);
        exec(fromV1, "echo second > /state");

        JsonNode v2 = snapshot(fromV1, name, "flatten");

        assertThat(v2.path("id").asText()).isEqualTo(v1.path("id").asText());
        assertThat(v2.path("version").asInt()).isEqualTo(2);
        assertThat(v2.path("type").asText()).as("flattened").isEqualTo("image");
        JsonNode versions = api.get("/v1/templates/" + name + "/versions", teamKey).body();
        JsonNode second = versions.get(0);
        assertThat(second.path("tags")).extracting(JsonNode::asText).containsExactly("latest");
        assertThat(second.path("snapshot_id").asText()).startsWith("snap-");
        assertThat(second.path("parent").path("template").asText()).isEqualTo(name);
        assertThat(second.path("parent").path("version").asInt()).isEqualTo(1);
        assertThat(second.path("base_image_digest").asText()).isEqualTo(versions.get(1).path("image_digest").asText());
        assertThat(versions.get(1).path("parent").path("template").asText()).isEqualTo("minimal");
        assertThat(exec(sandbox(teamKey, name), "cat /state")).isEqualTo("second\n");
        assertThat(exec(sandbox(teamKey, name + "@v1"), "cat /state")).isEqualTo("first\n");
    }

    @Test
    void deletingATemplateRemovesTheImageOfEveryVersion() throws Exception {
        String name = "doomed-" + suffix();
        String v1Image = image(build(name, null, "RUN echo one > /version"));
        String v2Image = image(build(name, null, "RUN echo two > /version"));

        assertThat(api.delete("/v1/admin/templates/" + name, STACK.adminKey).status()).isEqualTo(204);

        for (String image : List.of(v1Image, v2Image)) {
            Await.until(Duration.ofSeconds(60), () -> DockerCommands.imageExists(DOCKER, image), exists -> !exists, image + " removed");
        }
        assertThat(api.get("/v1/templates/" + name + "/versions", teamKey).status()).isEqualTo(404);
    }

    /** A successful build of {@code name} on {@code base} (minimal when null), without pre- and post-build steps. */
    private static JsonNode build(String name, String base, String... recipe) throws InterruptedException {
        Map<String, Object> request = new java.util.HashMap<>(Map.of("name", name, "skip_pre_post", true,
                "recipe", List.of(recipe)));
        if (base != null) {
            request.put("base_template", base);
        }
        ApiTestClient.Reply submitted = api.post("/v1/admin/builds", STACK.adminKey, request);
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        JsonNode build = Await.until(SLOW, () -> api.get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                body -> Set.of("success", "failed", "cancelled").contains(body.path("status").asText()), "build " + buildId);
        assertThat(build.path("status").asText()).as("%s", build).isEqualTo("success");
        IMAGES_TO_REMOVE.add(image(build));
        return build;
    }

    private static JsonNode snapshot(String sandboxId, String name, String mode) {
        Map<String, Object> request = mode == null ? Map.of("sandbox_id", sandboxId, "name", name)
                : Map.of("sandbox_id", sandboxId, "name", name, "mode", mode);
        ApiTestClient.Reply reply = api.send(api.request("/v1/snapshots", teamKey).timeout(SLOW)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ApiTestClient.write(request))));
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(201);
        IMAGES_TO_REMOVE.add("kiln/" + reply.body().path("version_id").asText() + ":latest");
        return reply.body();
    }

    /** The image of the version a build made. */
    private static String image(JsonNode build) {
        return "kiln/" + build.path("template_id").asText() + ":latest";
    }

    private static String sandbox(String key, String template) {
        ApiTestClient.Reply created = api.post("/v1/sandboxes", key, Map.of("template", template));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String id = created.body().path("id").asText();
        SANDBOXES.put(id, key);
        ALL_SANDBOXES.add(id);
        return id;
    }

    private static String exec(String sandboxId, String command) {
        ApiTestClient.Reply reply = api.post("/v1/sandboxes/" + sandboxId + "/exec", SANDBOXES.get(sandboxId),
                Map.of("command", command));
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().path("exit_code").asInt()).as("%s: %s", command, reply.body()).isZero();
        return reply.body().path("stdout").asText();
    }

    /** The image the sandbox's container was created from, as its config names it. */
    private static String imageOfSandbox(String sandboxId) {
        List<Container> containers = DockerCommands.containersOf(DOCKER, sandboxId);
        assertThat(containers).hasSize(1);
        return DOCKER.inspectContainerCmd(containers.get(0).getId()).exec().getConfig().getImage();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
