package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.core.GoldenGcSchedule;
import dev.kiln.cli.KilnCli;
import dev.kiln.db.HostDao;
import dev.kiln.db.Ids;
import dev.kiln.db.ProjectDao;
import dev.kiln.model.HostStatus;
import dev.kiln.workflows.golden.SessionWorkflow;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden Docker caches end to end: a real kiln-host runs each build and session as a dockerd of its own in its own
 * network namespace. The tests run in order, as an operator would: build, use, break, cancel, clear.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenCacheIT {
    private static final Duration BUILD = Duration.ofMinutes(3);
    /**
     * Unique per run: workflow ids follow project ids, and a Temporal server kept between runs may still hold the
     * workflows of a run that was killed, bound to a control queue nobody polls any more.
     */
    private static final String PROJECT = "webapp-" + Ids.newId("p").substring(2, 10);
    /** Where the warm-up script tells the test which workspace path its long-running container bind-mounted. */
    private static final Path BIND_SOURCE_NOTE = Path.of("/tmp/kiln-golden-it-bind-source");
    /**
     * Builds an image on the base image the host loads into every session daemon, so no registry is needed, and
     * leaves behind what seed 000's P0 was about: a restart=always container bind-mounting the build's workspace.
     */
    private static final String WARM_UP = """
            set -e
            mkdir -p /tmp/ctx-$$ && cd /tmp/ctx-$$
            printf 'FROM kiln/minimal:latest\\nRUN echo warmed > /warm.txt\\n' > Dockerfile
            docker build -q -t warm:1 .
            docker run --name scratch kiln/minimal:latest true
            mkdir -p "$KILN_WORKSPACE/data"
            docker run -d --restart=always --name keeper -v "$KILN_WORKSPACE/data:/data" kiln/minimal:latest sleep 1000
            echo "$KILN_WORKSPACE/data" > %s
            """.formatted(BIND_SOURCE_NOTE);

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack(Map.of("goldenBuildDeadline", "2m"));

    private static HostProcess host;
    private static ApiTestClient api;
    private static String teamKey;

    @BeforeAll
    static void registerAHostAndATeam() throws Exception {
        api = STACK.client();
        host = HostProcess.registerAndStart(STACK);
        String teamId = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "golden")).body().path("id").asText();
        teamKey = api.post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "it")).body()
                .path("key").asText();
    }

    @AfterAll
    static void stopHost() throws InterruptedException, IOException {
        stopSessionsLeftByAFailedTest();
        if (host != null) {
            host.close();
        }
        Files.deleteIfExists(BIND_SOURCE_NOTE);
    }

    /** Sessions outlive their host process by design, so each one's daemon must be stopped through the API. */
    private static void stopSessionsLeftByAFailedTest() throws InterruptedException {
        if (api == null) {
            return;
        }
        List<String> live = STACK.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT id FROM sessions WHERE status IN ('starting', 'running')").mapTo(String.class).list());
        for (String session : live) {
            api.delete("/v1/sessions/" + session, teamKey);
        }
        for (String session : live) {
            Await.until(Duration.ofSeconds(60), () -> api.get("/v1/sessions/" + session, teamKey).body().path("status")
                    .asText(), status -> !status.equals("starting") && !status.equals("running"),
                    "session " + session + " to stop");
        }
    }

    @Test
    @Order(1)
    void projectsAreCreatedAndUpdatedByPutWithClearErrors() {
        ApiTestClient.Reply created = api.put("/v1/projects/" + PROJECT, teamKey,
                Map.of("name", "Web app", "warmup_script", WARM_UP));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(200);
        assertThat(created.body().path("auto_warm").asBoolean()).isFalse();

        assertError(api.put("/v1/projects/bad%20id", teamKey, Map.of("name", "x", "warmup_script", "true")), 400,
                "invalid_request");
        assertError(api.put("/v1/projects/other", teamKey, Map.of("name", "x")), 400, "invalid_request");
        assertError(api.put("/v1/projects/" + PROJECT, STACK.adminKey, Map.of("name", "x", "warmup_script", "true")),
                409, "project_id_taken");
        assertError(api.post("/v1/projects/nope/golden/build", teamKey, Map.of()), 404, "not_found");
        assertError(api.post("/v1/projects/" + PROJECT + "/golden/cancel", teamKey, Map.of()), 409, "not_building");
        assertThat(api.get("/v1/projects/" + PROJECT + "/golden", teamKey).body().path("status").asText())
                .isEqualTo("none");
        HostDao hosts = STACK.database().jdbi().onDemand(HostDao.class);
        hosts.setStatus(host.hostId(), HostStatus.UNREACHABLE, Instant.now());
        try {
            assertError(api.post("/v1/projects/" + PROJECT + "/golden/build", teamKey, Map.of()), 409, "no_online_hosts");
        } finally {
            hosts.setStatus(host.hostId(), HostStatus.ONLINE, Instant.now());
        }
    }

    @Test
    @Order(2)
    void aBuildBecomesReadyWithASizeAndAWriteSeries() throws Exception {
        ApiTestClient.Reply triggered = api.post("/v1/projects/" + PROJECT + "/golden/build", teamKey, Map.of());
        assertThat(triggered.status()).as("%s", triggered.body()).isEqualTo(202);
        assertThat(triggered.body().path("hosts").path(host.hostId()).asText()).isEqualTo("building");

        JsonNode golden = awaitSettled();

        JsonNode onHost = golden.path("hosts").path(host.hostId());
        assertThat(golden.path("status").asText()).as("%s", golden).isEqualTo("ready");
        assertThat(onHost.path("generation").asLong()).isEqualTo(1);
        assertThat(onHost.path("size_bytes").asLong()).isPositive();
        JsonNode io = api.get("/v1/projects/" + PROJECT + "/golden/builds/" + onHost.path("build_id").asText() + "/io",
                teamKey).body();
        assertThat(io.path("samples").size()).as("%s", io).isPositive();
        assertThat(io.path("samples").get(io.path("samples").size() - 1).path("write_bytes").asLong()).isPositive();
        assertError(api.get("/v1/projects/" + PROJECT + "/golden/builds/gb-nope/io", teamKey), 404, "not_found");
    }

    @Test
    @Order(3)
    void twoSessionsStartFromTheGoldenEachWithItsOwnProgressAndSeeTheWarmImageWithoutRebuilding() throws Exception {
        String first = startSession();
        List<String> firstMessages = new CopyOnWriteArrayList<>();
        CompletableFuture<JsonNode> starting = CompletableFuture.supplyAsync(() -> watchStart(first, firstMessages));
        String second = startSession();

        JsonNode one = starting.get(BUILD.toSeconds(), TimeUnit.SECONDS);
        JsonNode two = awaitRunning(second);

        for (JsonNode session : List.of(one, two)) {
            assertThat(session.path("status_message").asText()).isEmpty();
            assertThat(session.path("generation").asLong()).isEqualTo(1);
            assertThat(session.path("copied_bytes").asLong()).isEqualTo(session.path("total_bytes").asLong()).isPositive();
        }
        assertThat(one.path("docker_host").asText()).isNotEqualTo(two.path("docker_host").asText());
        assertThat(one.path("status").asText()).as("%s", one).isEqualTo("running");
        assertThat(firstMessages).as("the copy's progress reached the API from the SessionStart heartbeat")
                .anyMatch(message -> message.startsWith("Unpacking build cache ("));
        assertThat(signalNames(SessionWorkflow.workflowId(first))).as("progress adds nothing to the history")
                .doesNotContain("progress");
        assertThat(docker(one.path("docker_host").asText(), "images", "--format", "{{.Repository}}:{{.Tag}}"))
                .contains("warm:1");
        assertThat(docker(two.path("docker_host").asText(), "run", "--rm", "warm:1", "cat", "/warm.txt"))
                .isEqualTo("warmed\n");
        assertThat(docker(one.path("docker_host").asText(), "ps", "-a", "--format", "{{.Names}}"))
                .as("runtime state was purged").doesNotContain("scratch").doesNotContain("keeper");
        Path bindSource = Path.of(Files.readString(BIND_SOURCE_NOTE).strip());
        assertThat(bindSource).as("seed 000 P0: no empty dir recreated at the bind source").doesNotExist();

        assertThat(api.delete("/v1/sessions/" + first, teamKey).status()).isEqualTo(204);
        assertThat(api.delete("/v1/sessions/" + second, teamKey).status()).isEqualTo(204);
        Await.until(Duration.ofSeconds(60), () -> api.get("/v1/sessions/" + first, teamKey).body().path("status").asText(),
                "stopped"::equals, "session " + first + " to stop");
        assertThat(pgrep(first)).as("no daemon left for " + first).isEmpty();
    }

    @Test
    @Order(4)
    void theAdminCliShowsGoldenStatusWithWriteRatesAndFollowsASessionStartToRunning() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        KilnCli cli = new KilnCli(Map.of("KILN_URL", "http://127.0.0.1:" + STACK.port(), "KILN_API_KEY", teamKey),
                false, 120, Clock.systemUTC());

        int status = cli.run(new String[] {"golden", "status", PROJECT}, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8));

        assertThat(status).as("%s", err).isZero();
        assertThat(out.toString(UTF_8)).contains(host.hostId()).contains("ready").containsPattern("[▁▂▃▄▅▆▇█]");

        out.reset();
        status = cli.run(new String[] {"session", "start", PROJECT, "--follow"}, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8));

        String shown = out.toString(UTF_8) + err.toString(UTF_8);
        assertThat(status).as(shown).isZero();
        assertThat(shown).contains("running");
        Matcher session = Pattern.compile("ses-[0-9a-z]{25}").matcher(shown);
        assertThat(session.find()).as(shown).isTrue();
        api.delete("/v1/sessions/" + session.group(), teamKey);
    }

    @Test
    @Order(5)
    void aFailingScriptLeavesThePreviousGenerationInPlace() throws Exception {
        api.put("/v1/projects/" + PROJECT, teamKey, Map.of("name", "Web app", "warmup_script", "echo broken >&2; exit 3"));
        api.post("/v1/projects/" + PROJECT + "/golden/build", teamKey, Map.of());

        JsonNode golden = awaitSettled();

        JsonNode onHost = golden.path("hosts").path(host.hostId());
        assertThat(golden.path("status").asText()).isEqualTo("failed");
        assertThat(onHost.path("error").asText()).contains("code 3").endsWith(": broken");
        assertThat(onHost.path("generation").asLong()).as("the previous golden stays").isEqualTo(1);
        JsonNode session = awaitRunning(startSession());
        assertThat(docker(session.path("docker_host").asText(), "images", "--format", "{{.Repository}}:{{.Tag}}"))
                .contains("warm:1");
        api.delete("/v1/sessions/" + session.path("id").asText(), teamKey);
    }

    @Test
    @Order(6)
    void cancelMidScriptLeavesNoDaemonAndNoBuildDir() throws Exception {
        api.put("/v1/projects/" + PROJECT, teamKey, Map.of("name", "Web app", "warmup_script", "sleep 600"));
        api.post("/v1/projects/" + PROJECT + "/golden/build", teamKey, Map.of());
        JsonNode building = Await.until(Duration.ofSeconds(30),
                () -> api.get("/v1/projects/" + PROJECT + "/golden", teamKey).body(),
                golden -> "building".equals(golden.path("status").asText()), "build to start");
        String buildId = building.path("hosts").path(host.hostId()).path("build_id").asText();
        Await.until(Duration.ofSeconds(60), () -> pgrep(buildId), pids -> !pids.isEmpty(), "the build's daemon");
        String ioPath = "/v1/projects/" + PROJECT + "/golden/builds/" + buildId + "/io";
        JsonNode live = Await.until(Duration.ofSeconds(60), () -> api.get(ioPath, teamKey).body(),
                io -> io.path("samples").size() > 1, "live write samples from the build's heartbeat");
        assertThat(live.path("source").asText()).isEqualTo("live");
        assertThat(live.path("status").asText()).isEqualTo("building");
        String buildWorkflow = STACK.database().jdbi().onDemand(ProjectDao.class).findBuild(buildId).orElseThrow()
                .workflowId();
        assertThat(history(buildWorkflow)).as("reading the write rate adds nothing to the build's history")
                .noneMatch(event -> event.hasWorkflowExecutionUpdateAcceptedEventAttributes()
                        || event.hasWorkflowExecutionSignaledEventAttributes());

        assertThat(api.post("/v1/projects/" + PROJECT + "/golden/cancel", teamKey, Map.of()).status()).isEqualTo(202);

        JsonNode golden = awaitSettled();
        assertThat(golden.path("hosts").path(host.hostId()).path("status").asText())
                .as("back to the previous golden").isEqualTo("ready");
        assertThat(golden.path("hosts").path(host.hostId()).path("generation").asLong()).isEqualTo(1);
        Await.until(Duration.ofSeconds(30), () -> pgrep(buildId), List::isEmpty, "no process of " + buildId);
        try (var dirs = Files.walk(host.stateDir())) {
            assertThat(dirs.map(Object::toString).filter(path -> path.contains(buildId)).toList()).isEmpty();
        }
    }

    @Test
    @Order(7)
    void garbageCollectionIsScheduledDailyInTemporalAndATriggeredRunCompletes() throws Exception {
        ScheduleClient schedules = ScheduleClient.newInstance(WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:7233").build()));
        ScheduleHandle handle = schedules.getHandle(GoldenGcSchedule.scheduleId(STACK.controlTaskQueue));

        ScheduleDescription gc = handle.describe();

        assertThat(gc.getSchedule().getSpec().getIntervals()).extracting(ScheduleIntervalSpec::getEvery)
                .containsExactly(Duration.ofDays(1));
        assertThat(((ScheduleActionStartWorkflow) gc.getSchedule().getAction()).getWorkflowType())
                .isEqualTo("GoldenGcWorkflow");

        // What the daily run does, now: the schedule's action reaches this stack's control worker and completes.
        handle.trigger();
        ScheduleDescription triggered = Await.until(Duration.ofSeconds(60), handle::describe,
                description -> !description.getInfo().getRecentActions().isEmpty(), "the triggered GC run to start");
        String gcWorkflowId = ((ScheduleActionExecutionStartWorkflow) triggered.getInfo().getRecentActions().get(0).getAction())
                .getWorkflowId();
        WorkflowClient.newInstance(WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                        .setTarget("127.0.0.1:7233").build()))
                .newUntypedWorkflowStub(gcWorkflowId).getResult(60, TimeUnit.SECONDS, Void.class);
    }

    @Test
    @Order(8)
    void clearingTheGoldenRemovesItOnEveryHost() {
        assertThat(api.delete("/v1/projects/" + PROJECT + "/golden", teamKey).status()).isEqualTo(204);

        JsonNode golden = api.get("/v1/projects/" + PROJECT + "/golden", teamKey).body();
        assertThat(golden.path("status").asText()).isEqualTo("none");
        assertThat(golden.path("hosts").path(host.hostId()).path("generation").asLong()).isZero();
    }

    /** The names of the signals the workflow received so far. */
    private static List<String> signalNames(String workflowId) {
        return history(workflowId).stream()
                .filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
                .map(event -> event.getWorkflowExecutionSignaledEventAttributes().getSignalName())
                .toList();
    }

    private static List<HistoryEvent> history(String workflowId) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:7233").build());
        try {
            return WorkflowClient.newInstance(stubs).fetchHistory(workflowId).getEvents();
        } finally {
            stubs.shutdown();
        }
    }

    /**
     * Polls the session every 50 ms until it has started, keeping every status message seen: the copy of a small
     * golden shows for about a second (the SDK sends a heartbeat at most once a second).
     */
    private static JsonNode watchStart(String sessionId, List<String> messages) {
        long deadline = System.nanoTime() + BUILD.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode session = api.get("/v1/sessions/" + sessionId, teamKey).body();
            messages.add(session.path("status_message").asText());
            if (!"starting".equals(session.path("status").asText())) {
                return session;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("session " + sessionId + " did not start; messages seen: " + messages);
    }

    private static String startSession() {
        ApiTestClient.Reply started = api.post("/v1/projects/" + PROJECT + "/sessions", teamKey, Map.of());
        assertThat(started.status()).as("%s", started.body()).isEqualTo(202);
        assertThat(started.body().path("host_id").asText()).isEqualTo(host.hostId());
        return started.body().path("id").asText();
    }

    private static JsonNode awaitRunning(String sessionId) throws InterruptedException {
        JsonNode session = Await.until(BUILD, () -> api.get("/v1/sessions/" + sessionId, teamKey).body(),
                body -> !"starting".equals(body.path("status").asText()), "session " + sessionId + " to start");
        assertThat(session.path("status").asText()).as("%s", session).isEqualTo("running");
        return session;
    }

    private static JsonNode awaitSettled() throws InterruptedException {
        // Right after a trigger the host may not be marked building yet; wait for the round to show, then to end.
        Thread.sleep(1_000);
        return Await.until(BUILD, () -> api.get("/v1/projects/" + PROJECT + "/golden", teamKey).body(),
                golden -> !"building".equals(golden.path("status").asText()), "golden build to end");
    }

    private static String docker(String dockerHost, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "-H", dockerHost));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** Processes whose command line names the id: a session's or build's dockerd carries it in its paths. */
    private static List<String> pgrep(String id) {
        try {
            Process process = new ProcessBuilder("pgrep", "-f", "dockerd.*" + id).start();
            String output = new String(process.getInputStream().readAllBytes(), UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return output.lines().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertError(ApiTestClient.Reply reply, int status, String code) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(status);
        assertThat(reply.errorCode()).isEqualTo(code);
    }
}
