package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.db.HostAuditDao;
import dev.kiln.db.SnapshotDao;
import dev.kiln.db.SnapshotRow;
import dev.kiln.model.SnapshotStatus;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kiln-api going away, briefly, while hosts work: nothing is lost and the rows still match the containers. */
class KilnApiRestartIT {
    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static HostProcess host;
    private static String templateImage;

    @BeforeAll
    static void registerAHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
    }

    @AfterAll
    static void stopHost() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        DockerCommands.removeContainersLabelled(DOCKER, "kiln.sandbox");
        if (templateImage != null) {
            DockerCommands.removeImages(DOCKER, List.of(templateImage));
        }
    }

    @Test
    void aSnapshotRunningOnTheHostWhileKilnApiRestartsCompletesAndIsListed() throws Exception {
        ApiTestClient.Reply created = STACK.client().post("/v1/sandboxes", STACK.adminKey, Map.of("template", "minimal"));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String sandboxId = created.body().path("id").asText();
        ApiTestClient.Reply wrote = STACK.client().post("/v1/sandboxes/" + sandboxId + "/exec", STACK.adminKey,
                Map.of("command", "dd if=/dev/urandom of=/payload bs=1M count=300 2>/dev/null && echo done"));
        assertThat(wrote.body().path("stdout").asText()).isEqualTo("done\n");

        // The client gives up when the server goes away; the snapshot must not.
        ApiTestClient client = STACK.client();
        CompletableFuture<Void> abandoned = CompletableFuture.runAsync(() -> {
            try {
                client.send(client.request("/v1/snapshots", STACK.adminKey).timeout(Duration.ofMinutes(2))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ApiTestClient.write(
                                Map.of("sandbox_id", sandboxId, "name", "survivor", "mode", "flatten")))));
            } catch (RuntimeException cutOff) {
                // expected: the connection dies with the server
            }
        });
        SnapshotDao snapshots = STACK.database().jdbi().onDemand(SnapshotDao.class);
        SnapshotRow running = Await.until(Duration.ofSeconds(30),
                () -> STACK.database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT id FROM snapshots WHERE sandbox_id = :id").bind("id", sandboxId)
                        .mapTo(String.class).findOne()).flatMap(snapshots::findById).orElse(null),
                row -> row != null, "the snapshot to start");
        assertThat(running.status()).isEqualTo(SnapshotStatus.RUNNING);

        STACK.restart(() -> {
            abandoned.join();
            // Down long enough that the snapshot's host activity runs with no control worker to report to.
            Thread.sleep(3_000);
        });

        SnapshotRow finished = Await.until(Duration.ofMinutes(3),
                () -> snapshots.findById(running.id()).orElseThrow(), row -> row.status() != SnapshotStatus.RUNNING,
                "snapshot " + running.id() + " to end");
        assertThat(finished.status()).as("%s", finished).isEqualTo(SnapshotStatus.SUCCESS);
        templateImage = "kiln/" + finished.templateId() + ":latest";
        // A flattened snapshot is one layer with no history: its template's type is image (#16).
        JsonNode templates = STACK.client().get("/v1/templates?type=image", STACK.adminKey).body();
        assertThat(templates.findValuesAsText("name")).contains("survivor");
        assertThat(STACK.client().get("/v1/sandboxes/" + sandboxId, STACK.adminKey).body().path("status").asText())
                .isEqualTo("running");
    }

    /**
     * The host pauses its sandboxes after three failed heartbeats, well inside the API's 90 s heartbeat timeout, so
     * kiln-api never marks the host unreachable; the host's next heartbeat must still bring the row to paused.
     */
    @Test
    void aSandboxTheHostPausedWhileCutOffReadsPausedAndResumesThroughTheApi() throws Exception {
        ApiTestClient.Reply created = STACK.client().post("/v1/sandboxes", STACK.adminKey, Map.of("template", "minimal"));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String sandboxId = created.body().path("id").asText();
        String containerId = DOCKER.listContainersCmd().withLabelFilter(Map.of("kiln.sandbox", sandboxId)).exec()
                .get(0).getId();

        STACK.restart(() -> Await.until(Duration.ofSeconds(60),
                () -> DOCKER.inspectContainerCmd(containerId).exec().getState().getPaused(), Boolean.TRUE::equals,
                "the host to pause its sandbox once cut off"));

        Await.until(Duration.ofSeconds(60),
                () -> STACK.client().get("/v1/sandboxes/" + sandboxId, STACK.adminKey).body().path("status").asText(),
                "paused"::equals, "the sandbox row to follow its paused container");
        assertThat(STACK.client().get("/v1/hosts/" + host.hostId(), STACK.adminKey).body().path("status").asText())
                .as("the outage was shorter than the heartbeat timeout").isEqualTo("online");
        assertThat(STACK.database().jdbi().onDemand(HostAuditDao.class).events(host.hostId()))
                .contains("sandboxes_paused_by_host")
                .doesNotContain("marked_down");

        ApiTestClient.Reply resumed = STACK.client().post("/v1/sandboxes/" + sandboxId + "/resume", STACK.adminKey, Map.of());
        assertThat(resumed.body().path("status").asText()).as("%s", resumed.body()).isEqualTo("running");
        ApiTestClient.Reply echoed = STACK.client().post("/v1/sandboxes/" + sandboxId + "/exec", STACK.adminKey,
                Map.of("command", "echo thawed"));
        assertThat(echoed.body().path("stdout").asText()).isEqualTo("thawed\n");
        assertThat(STACK.client().delete("/v1/sandboxes/" + sandboxId, STACK.adminKey).status()).isEqualTo(204);
    }
}
