package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite of #13: each part of Kiln killed or restarted while a build step runs, on a stack whose every part
 * is this class's own (PostgreSQL, the Temporal server, dockerd, kiln-api and the only kiln-host), since the
 * machine's shared services must stay up for everyone else. For every fault the build ends within a bound, as a
 * success or as a failure that names the cause; every step it ran is recorded with its output and exit code; and
 * nothing of it is left: no container or image of the build on the engine (but its template), no file in the host's
 * temp dir, and no open workflow.
 *
 * <p>The parts are shared by the tests and each test brings back what it took down, so that the class starts them
 * once.
 */
class BuildFaultIT {
    /** Names the private engine's bridge and subnet; they live in its own network namespace, so any index will do. */
    private static final int ENGINE_INDEX = 13;
    private static final String GREETING = "hello from the archive";
    private static final String LONG_STEP_COMMAND = "sleep 12";
    /** An archive to unpack (the host's temp files), a short step before the long one and one after it. */
    private static final List<String> RECIPE = List.of(
            "COPY greeting.txt /greeting.txt",
            "RUN echo before",
            "RUN " + LONG_STEP_COMMAND,
            "RUN cat /greeting.txt && echo after");
    private static final int LONG_STEP = 3;
    private static final Map<Integer, String> STDOUT_OF_STEP = Map.of(2, "before\n", 4, GREETING + "\nafter\n");
    /** A rerun after a lost host waits out the step's 30 s heartbeat timeout, then runs the whole recipe again. */
    private static final Duration BUILD_END = Duration.ofMinutes(3);
    private static final Duration CLEANUP = Duration.ofSeconds(60);
    /**
     * How long kiln-api, the Temporal server and PostgreSQL stay down: past the end of the long step, so that its
     * result and the next step's start must wait for the part to come back.
     */
    private static final Duration DOWN_PAST_THE_STEP = Duration.ofSeconds(15);
    private static final Set<String> TERMINAL = Set.of("success", "failed", "cancelled");

    @RegisterExtension
    @Order(1)
    static final PostgresServer POSTGRES = new PostgresServer();

    @RegisterExtension
    @Order(2)
    static final TemporalDevServer TEMPORAL = new TemporalDevServer();

    @RegisterExtension
    @Order(3)
    static final KilnApiStack STACK = KilnApiStack.onServicesOf(POSTGRES::jdbcUrl, TEMPORAL::target);

    /** kiln-host is a child of this JVM that would outlive it: a run cut short stops it here. */
    private static final Thread STOP_HOST = new Thread(BuildFaultIT::stopHost, "kiln-fault-host");
    private static final DataConverter SUMMARIES = DefaultDataConverter.newDefaultInstance();
    private static HostDaemon engine;
    private static volatile HostProcess host;
    private static WorkflowServiceStubs temporal;

    @BeforeAll
    static void startTheEngineAndTheOnlyHost() throws Exception {
        HostDaemon.sweepAbandoned();
        Runtime.getRuntime().addShutdownHook(STOP_HOST);
        engine = HostDaemon.start(ENGINE_INDEX);
        engine.awaitReady();
        host = HostProcess.registerAndStart(STACK, engine.dockerHost());
        temporal = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(TEMPORAL.target()).build());
    }

    @AfterAll
    static void stopTheHostAndTheEngine() {
        stopHost();
        try {
            Runtime.getRuntime().removeShutdownHook(STOP_HOST);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs now
        }
        if (temporal != null) {
            temporal.shutdown();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void kilnApiRestartedMidStepTheBuildWaitsForItAndSucceedsWithoutRerunning() throws Exception {
        String buildId = submitAndAwaitTheLongStep();

        STACK.restart(() -> Thread.sleep(DOWN_PAST_THE_STEP.toMillis()));

        JsonNode build = awaitEnd(buildId);
        assertSucceededWithEveryStep(build);
        assertThat(reruns(buildId)).as("the long step ran once").isEmpty();
        assertNothingLeft(build);
        report("kiln-api restarted", build);
    }

    @Test
    void theOnlyHostKilledMidStepTheBuildRerunsThereOnceItIsBackAndSucceeds() throws Exception {
        String buildId = submitAndAwaitTheLongStep();

        host.kill();
        Thread.sleep(5_000);
        host = host.restart(STACK.port());
        host.awaitStarted(STACK);

        JsonNode build = awaitEnd(buildId);
        assertSucceededWithEveryStep(build);
        assertThat(reruns(buildId)).as("the history says why the build ran again").singleElement().asString()
                .contains("host " + host.hostId() + " was lost during recipe step " + LONG_STEP, "came back");
        assertNothingLeft(build);
        report("kiln-host kill -9, back 5 s later", build);
    }

    @Test
    void temporalKilledMidStepTheBuildWaitsForItAndSucceedsWithoutRerunning() throws Exception {
        String buildId = submitAndAwaitTheLongStep();

        TEMPORAL.kill();
        Thread.sleep(DOWN_PAST_THE_STEP.toMillis());
        TEMPORAL.start();

        JsonNode build = awaitEnd(buildId);
        assertSucceededWithEveryStep(build);
        assertThat(reruns(buildId)).as("the long step ran once").isEmpty();
        assertNothingLeft(build);
        report("Temporal server kill -9, back 15 s later", build);
    }

    @Test
    void postgresCrashedMidStepTheBuildWaitsForItAndSucceedsWithoutRerunning() throws Exception {
        String buildId = submitAndAwaitTheLongStep();

        POSTGRES.crash();
        Thread.sleep(DOWN_PAST_THE_STEP.toMillis());
        POSTGRES.start();

        JsonNode build = awaitEnd(buildId);
        assertSucceededWithEveryStep(build);
        assertThat(reruns(buildId)).as("the long step ran once").isEmpty();
        assertNothingLeft(build);
        report("PostgreSQL immediate stop, back 15 s later", build);
    }

    @Test
    void dockerdRestartedMidStepKillsTheSandboxAndTheBuildRerunsAndSucceeds() throws Exception {
        String buildId = submitAndAwaitTheLongStep();

        engine.restart();

        JsonNode build = awaitEnd(buildId);
        assertSucceededWithEveryStep(build);
        // Named either way: the engine may kill the step before or after its socket goes away.
        assertThat(reruns(buildId)).as("the history says why the build ran again").singleElement().asString()
                .contains("its sandbox died during recipe step " + LONG_STEP, "Docker engine");
        assertNothingLeft(build);
        report("dockerd restarted", build);
    }

    /**
     * Submits the build and returns once its long step runs in the sandbox, not merely once its row says so. Every
     * fault's build is the same recipe and archive, so without no_cache the host's step cache would answer every
     * step of the second build on, and no fault would land mid-step.
     */
    private static String submitAndAwaitTheLongStep() throws Exception {
        String config = ApiTestClient.write(Map.of("name", "fault-" + UUID.randomUUID().toString().substring(0, 8),
                "skip_pre_post", true, "no_cache", true, "recipe", RECIPE));
        ApiTestClient.Reply submitted = STACK.client().postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().json("config", config).file("archive", "files.tar.gz", archive()));
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        String buildId = submitted.body().path("id").asText();
        awaitBuild(buildId, Duration.ofMinutes(1), body -> body.path("current_step").asInt() == LONG_STEP
                && body.path("completed_steps").asInt() == LONG_STEP - 1, "the long step to start");
        Await.until(Duration.ofSeconds(30), () -> processesOfTheSandbox(buildId),
                processes -> processes.contains(LONG_STEP_COMMAND),
                "`" + LONG_STEP_COMMAND + "` to run in the sandbox");
        return buildId;
    }

    private static JsonNode awaitEnd(String buildId) throws InterruptedException {
        return awaitBuild(buildId, BUILD_END, body -> TERMINAL.contains(body.path("status").asText()),
                "build " + buildId + " to end");
    }

    private static JsonNode awaitBuild(String buildId, Duration timeout, Predicate<JsonNode> done, String what)
            throws InterruptedException {
        return Await.until(timeout, () -> STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body(),
                done, what);
    }

    /** Every step ran to its end, in order, with the output it printed; nothing reads as still running. */
    private static void assertSucceededWithEveryStep(JsonNode build) {
        assertThat(build.path("status").asText()).as("%s", build).isEqualTo("success");
        assertThat(build.path("completed_steps").asInt()).as("%s", build).isEqualTo(RECIPE.size());
        JsonNode steps = build.path("steps");
        assertThat(steps.size()).as("%s", steps).isEqualTo(RECIPE.size());
        for (int index = 0; index < RECIPE.size(); index++) {
            JsonNode step = steps.get(index);
            int number = index + 1;
            assertThat(step.path("step").asInt()).as("%s", step).isEqualTo(number);
            assertThat(step.path("command").asText()).as("%s", step).isEqualTo(RECIPE.get(index));
            assertThat(step.path("exit_code").isInt()).as("step %d has an exit code: %s", number, step).isTrue();
            assertThat(step.path("exit_code").asInt()).as("%s", step).isZero();
            assertThat(step.path("ok").asBoolean()).as("%s", step).isTrue();
            if (STDOUT_OF_STEP.containsKey(number)) {
                assertThat(step.path("stdout").asText()).as("%s", step).isEqualTo(STDOUT_OF_STEP.get(number));
            }
        }
    }

    /**
     * The build's workflow closed; no container of the build is on the engine; the only image labelled with it is
     * its template's; the host's temp dir is empty.
     */
    private static void assertNothingLeft(JsonNode build) throws Exception {
        String buildId = build.path("id").asText();
        Await.until(CLEANUP, () -> workflowStatus(buildId),
                status -> status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
                "the workflow of build " + buildId + " to close");
        Await.until(CLEANUP, () -> engineLines("ps", "--all", "--quiet", "--filter", "label=kiln.build=" + buildId),
                List::isEmpty, "no container of build " + buildId + " on the engine");
        String templateImage = build.path("status").asText().equals("success")
                ? "kiln/" + build.path("template_id").asText() + ":latest" : null;
        assertThat(engineLines("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter",
                "label=kiln.build=" + buildId))
                .as("images of build %s", buildId)
                .isEqualTo(templateImage == null ? List.of() : List.of(templateImage));
        try (Stream<Path> left = Files.list(host.tempDir())) {
            assertThat(left.toList()).as("files in the host's temp dir").isEmpty();
        }
    }

    private static String processesOfTheSandbox(String buildId) {
        List<String> containers = engineLines("ps", "--quiet", "--filter", "label=kiln.build=" + buildId);
        return containers.isEmpty() ? "(no sandbox yet)" : String.join("\n", engineLines("top", containers.get(0)));
    }

    private static List<String> engineLines(String... arguments) {
        try {
            Commands.Result result = engine.docker(arguments);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("docker " + String.join(" ", arguments) + ": " + result.output());
            }
            return result.output().lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static WorkflowExecutionStatus workflowStatus(String buildId) {
        return temporal.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(STACK.configuration().getTemporal().getNamespace())
                        .setExecution(WorkflowExecution.newBuilder()
                                .setWorkflowId(TemplateBuildWorkflow.workflowId(buildId)))
                        .build())
                .getWorkflowExecutionInfo().getStatus();
    }

    /** The summaries of the activities that started the build again, which say why. */
    private static List<String> reruns(String buildId) {
        return WorkflowClient.newInstance(temporal).fetchHistory(TemplateBuildWorkflow.workflowId(buildId))
                .getEvents().stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                .map(event -> SUMMARIES.fromPayload(event.getUserMetadata().getSummary(), String.class, String.class))
                .filter(summary -> summary.startsWith("rerun ("))
                .toList();
    }

    /** One row of the outcome table that #13 asks for, in the test's output. */
    private static void report(String fault, JsonNode build) {
        String buildId = build.path("id").asText();
        System.out.printf("fault outcome | %s | %s | %s | %d of %d steps recorded | reruns: %s%n", fault,
                build.path("status").asText(), build.path("error").path("message").asText("no error"),
                build.path("steps").size(), RECIPE.size(), reruns(buildId));
    }

    private static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] content = (GREETING + "\n").getBytes(UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("greeting.txt");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static void stopHost() {
        HostProcess running = host;
        if (running == null) {
            return;
        }
        try {
            running.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
