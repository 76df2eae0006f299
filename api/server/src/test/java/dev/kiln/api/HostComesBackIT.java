package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One host that goes away and comes back, as on a single-machine install (#13.3), and a sandbox whose container dies
 * under a host that never left (#13.4).
 */
class HostComesBackIT {
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static HostProcess host;
    private static WorkflowServiceStubs temporal;
    private static String image;

    @BeforeAll
    static void startTheOnlyHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
        temporal = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(STACK.configuration().getTemporal().getTarget()).build());
    }

    @AfterAll
    static void stopHost() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        DockerCommands.removeContainersLabelled(DOCKER, "kiln.sandbox");
        if (image != null) {
            DockerCommands.removeImages(DOCKER, List.of(image));
        }
        if (temporal != null) {
            temporal.shutdown();
        }
    }

    @Test
    void aBuildWhoseOnlyHostIsKilledMidStepRerunsThereOnceItIsBackAndClosesWhenItEnds() throws Exception {
        String buildId = STACK.client().post("/v1/admin/builds", STACK.adminKey, Map.of(
                "name", "back-" + UUID.randomUUID().toString().substring(0, 8), "skip_pre_post", true,
                "recipe", List.of("RUN echo before", "RUN sleep 12", "RUN echo after"))).body().path("id").asText();
        awaitBuild(buildId, body -> body.path("current_step").asInt() == 2 && body.path("completed_steps").asInt() == 1,
                "the long step to run");

        host.kill();
        Thread.sleep(5_000);
        host = host.restart(STACK.port());
        host.awaitStarted(STACK);

        JsonNode build = awaitBuild(buildId, body -> TERMINAL.contains(body.path("status").asText()),
                "the build to end");
        assertThat(build.path("status").asText()).as("%s", build).isEqualTo("success");
        assertThat(build.path("host_id").asText()).isEqualTo(host.hostId());
        image = "kiln/" + build.path("template_id").asText() + ":latest";
        // The lost attempt committed step 1 to the host's step cache before the kill, so the rerun starts after it.
        assertThat(build.path("steps").get(0).path("cached").asBoolean()).as("%s", build).isTrue();
        assertThat(build.path("steps").get(2).path("stdout").asText()).as("%s", build).isEqualTo("after\n");

        // Nothing keeps it open once the build ended: the lost attempt's sandbox is the host's own workflow's to remove.
        Instant ended = Instant.now();
        Await.until(Duration.ofSeconds(15), () -> status(TemplateBuildWorkflow.workflowId(buildId)),
                WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED::equals, "build-" + buildId + " to close");
        assertThat(Duration.between(ended, Instant.now())).isLessThan(Duration.ofSeconds(15));
        assertThat(activitySummaries(TemplateBuildWorkflow.workflowId(buildId)))
                .as("the history says the build reran where its host came back")
                .anyMatch(summary -> summary.contains("host " + host.hostId() + " was lost")
                        && summary.contains("came back"));
        Await.until(Duration.ofSeconds(60), () -> DOCKER.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of("kiln.build", buildId)).exec().size(),
                count -> count == 0, "no sandbox of build " + buildId + " left on the engine");
    }

    @Test
    void aSandboxWhoseContainerDiesReadsStoppedWithinSecondsThoughItsHostNeverLeft() throws Exception {
        ApiTestClient.Reply created = STACK.client().post("/v1/sandboxes", STACK.adminKey, Map.of("template", "minimal"));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String sandboxId = created.body().path("id").asText();
        String containerId = DOCKER.listContainersCmd().withLabelFilter(Map.of("kiln.sandbox", sandboxId)).exec()
                .get(0).getId();

        Instant killed = Instant.now();
        DOCKER.killContainerCmd(containerId).exec();

        Await.until(Duration.ofSeconds(10),
                () -> STACK.client().get("/v1/sandboxes/" + sandboxId, STACK.adminKey).body().path("status").asText(),
                "stopped"::equals, "sandbox " + sandboxId + " to read stopped");
        assertThat(Duration.between(killed, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(STACK.client().get("/v1/hosts/" + host.hostId(), STACK.adminKey).body().path("status").asText())
                .isEqualTo("online");
        Await.until(Duration.ofSeconds(30), () -> DOCKER.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of("kiln.sandbox", sandboxId)).exec().size(),
                count -> count == 0, "the dead container to be removed by its host");
    }

    private static JsonNode awaitBuild(String buildId, Predicate<JsonNode> done, String what)
            throws InterruptedException {
        return Await.until(Duration.ofMinutes(3),
                () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body(), done, what);
    }

    private static WorkflowExecutionStatus status(String workflowId) {
        return temporal.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(STACK.configuration().getTemporal().getNamespace())
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build())
                .getWorkflowExecutionInfo().getStatus();
    }

    private static List<String> activitySummaries(String workflowId) {
        WorkflowClient client = WorkflowClient.newInstance(temporal);
        return client.fetchHistory(workflowId).getEvents().stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                .map(HostComesBackIT::summary)
                .toList();
    }

    private static String summary(HistoryEvent event) {
        return event.getUserMetadata().getSummary().getData().toStringUtf8();
    }
}
