package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.db.HostAuditDao;
import dev.kiln.db.Ids;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.model.SandboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real kiln-host process through its whole life: register, crash, return, drain, delete (issue #8). */
class HostLifecycleIT {
    /** Short so the test sees an outage quickly; the monitor's logic does not depend on the length. */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(8);

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack(Map.of("liveness.timeout", "8s"));

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> CONTAINERS = new ArrayList<>();
    private static final List<HostProcess> PROCESSES = new ArrayList<>();

    @AfterAll
    static void cleanUp() throws InterruptedException {
        for (HostProcess process : PROCESSES) {
            process.close();
        }
        for (String container : CONTAINERS) {
            try {
                DOCKER.removeContainerCmd(container).withForce(true).exec();
            } catch (NotFoundException alreadyGone) {
                // removed by the test itself
            }
        }
    }

    @Test
    void crashedHostIsMarkedUnreachableAndOnItsReturnItsSurvivingSandboxesRunAgain() throws Exception {
        HostProcess host = started(HostProcess.registerAndStart(STACK));
        String survivor = sandbox(host.hostId(), true);
        String lost = sandbox(host.hostId(), false);

        Instant killedAt = Instant.now();
        host.kill();
        JsonNode down = awaitHost(host.hostId(), "unreachable", HEARTBEAT_TIMEOUT.plusSeconds(30));
        Duration noticedAfter = Duration.between(killedAt, Instant.now());
        assertThat(noticedAfter).as("timeout plus one heartbeat interval and a tick")
                .isLessThan(HEARTBEAT_TIMEOUT.plusSeconds(10));
        assertThat(down.path("status").asText()).isEqualTo("unreachable");
        assertThat(sandboxStatus(survivor)).isEqualTo("missing");
        assertThat(sandboxStatus(lost)).isEqualTo("missing");

        started(host.restart(STACK.port()));
        awaitHost(host.hostId(), "online", Duration.ofSeconds(60));
        Await.until(Duration.ofSeconds(30), () -> sandboxStatus(survivor), "running"::equals, "survivor running again");
        Await.until(Duration.ofSeconds(30), () -> sandboxStatus(lost), "stopped"::equals, "lost sandbox stopped");
        assertThat(STACK.database().jdbi().onDemand(HostAuditDao.class).events(host.hostId()))
                .containsSubsequence("marked_down", "marked_up");
    }

    @Test
    void drainedHostTakesNoBuildsUntilUndrained() throws Exception {
        HostProcess host = started(HostProcess.registerAndStart(STACK));
        ApiTestClient api = STACK.client();
        for (JsonNode other : api.get("/v1/hosts", STACK.adminKey).body()) {
            api.post("/v1/hosts/" + other.path("id").asText() + "/drain", STACK.adminKey, Map.of());
        }

        JsonNode drained = api.post("/v1/hosts/" + host.hostId() + "/drain", STACK.adminKey, Map.of()).body();
        assertThat(drained.path("status").asText()).isEqualTo("draining");
        String buildId = api.post("/v1/admin/builds", STACK.adminKey, Map.of("name", "drain-" + Ids.newId("x").substring(2, 10),
                "skip_pre_post", true, "recipe", List.of("RUN true"))).body().path("id").asText();
        Thread.sleep(3000);
        assertThat(api.get("/v1/admin/builds/" + buildId, STACK.adminKey).body().has("host_id"))
                .as("no host is offered the build while the only one drains").isFalse();

        JsonNode undrained = api.post("/v1/hosts/" + host.hostId() + "/undrain", STACK.adminKey, Map.of()).body();
        assertThat(undrained.path("status").asText()).isEqualTo("online");
        JsonNode build = Await.until(Duration.ofMinutes(2), () -> api.get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                body -> body.path("status").asText().equals("success"), "the build to run once undrained");
        assertThat(build.path("host_id").asText()).isEqualTo(host.hostId());
        DOCKER.removeImageCmd("kiln/" + build.path("template_id").asText() + ":latest").withForce(true).exec();
    }

    @Test
    void deletingAHostWithActiveSandboxesNeedsForceAndThenStopsTheHostProcess() throws Exception {
        HostProcess host = started(HostProcess.registerAndStart(STACK));
        String sandbox = sandbox(host.hostId(), true);
        ApiTestClient api = STACK.client();

        JsonNode preview = api.get("/v1/hosts/" + host.hostId() + "/delete-preview", STACK.adminKey).body();
        assertThat(preview.path("sandbox_ids").get(0).asText()).isEqualTo(sandbox);
        ApiTestClient.Reply refused = api.delete("/v1/hosts/" + host.hostId(), STACK.adminKey);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("has_active_sandboxes");
        assertThat(refused.body().path("error").path("sandbox_ids").get(0).asText()).isEqualTo(sandbox);

        assertThat(api.delete("/v1/hosts/" + host.hostId() + "?force=true", STACK.adminKey).status()).isEqualTo(204);

        assertThat(api.get("/v1/hosts/" + host.hostId(), STACK.adminKey).status()).isEqualTo(404);
        assertThat(sandboxStatus(sandbox)).isEqualTo("stopped");
        assertThat(host.awaitExit(Duration.ofSeconds(60))).as("kiln-host exits when its host is deleted").isEqualTo(3);
        assertThat(host.stateDir().resolve("host-credentials.json")).doesNotExist();
        Await.until(Duration.ofSeconds(30),
                () -> DOCKER.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("kiln.sandbox", sandbox)).exec().size(),
                count -> count == 0, "the sandbox container to be destroyed");
    }

    private static HostProcess started(HostProcess process) {
        PROCESSES.add(process);
        return process;
    }

    /**
     * A sandbox row on the host; with {@code alive}, a real container labelled as that host labels its sandboxes
     * (a host sees only containers carrying its own host label), which survives the host.
     */
    private static String sandbox(String hostId, boolean alive) {
        String id = Ids.newId("sb");
        String containerId = null;
        if (alive) {
            containerId = DOCKER.createContainerCmd("kiln/minimal:latest")
                    .withLabels(new HostLabels(hostId).sandbox(id))
                    .withCmd("sleep", "3600")
                    .exec().getId();
            DOCKER.startContainerCmd(containerId).exec();
            CONTAINERS.add(containerId);
        }
        STACK.database().jdbi().onDemand(SandboxDao.class).insert(new SandboxRow(id, Ids.PLATFORM_TEAM_ID,
                Ids.MINIMAL_TEMPLATE_ID, hostId, containerId, SandboxStatus.RUNNING, 1, 256, "minimal", null, null,
                null, null, null, null, 1));
        return id;
    }

    private static String sandboxStatus(String id) {
        return STACK.database().jdbi().onDemand(SandboxDao.class).findById(id).orElseThrow().status().wire();
    }

    private static JsonNode awaitHost(String hostId, String status, Duration timeout) throws InterruptedException {
        return Await.until(timeout, () -> STACK.client().get("/v1/hosts/" + hostId, STACK.adminKey).body(),
                body -> body.path("status").asText().equals(status), "host " + hostId + " to be " + status);
    }
}
