package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a fake API on a local port: what it sends, what it prints and how it exits. */
class KilnCliTest {
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private HttpServer server;
    private final Map<String, String> requestBodies = new ConcurrentHashMap<>();
    private final Map<String, String> requestTypes = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void route(String path, int status, String contentType, String body) {
        server.createContext(path, exchange -> answer(exchange, status, contentType, body));
    }

    private void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        requestBodies.put(key, new String(exchange.getRequestBody().readAllBytes(), UTF_8));
        requestTypes.put(key, String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private int run(String... args) {
        KilnCli cli = new KilnCli(Map.of("KILN_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "KILN_ADMIN_KEY", "kiln_test"), false, 120, Clock.fixed(NOW, ZoneOffset.UTC));
        return cli.run(args, new PrintStream(stdout, true, UTF_8), new PrintStream(stderr, true, UTF_8));
    }

    private String out() {
        return stdout.toString(UTF_8);
    }

    private String err() {
        return stderr.toString(UTF_8);
    }

    @Test
    void hostsPrintsATableWithStatusDrainingHeartbeatAndLoad() {
        route("/v1/hosts", 200, "application/json", """
                [{"id":"host-a","status":"online","draining":false,"memory_mb":8000,
                  "last_heartbeat_at":"2025-01-01T11:59:56Z",
                  "load":{"running_sandboxes":2,"cpu_pct":3.5,"memory_used_mb":1200}},
                 {"id":"host-b","status":"pending","draining":true,"load":{}}]
                """);
        assertThat(run("hosts")).isZero();
        assertThat(out()).isEqualTo("""
                ID      STATUS   DRAINING  LAST HEARTBEAT  LOAD
                host-a  online   no        4s ago          cpu 3.5%, mem 1200/8000 MB, 2 sandboxes
                host-b  pending  yes       -               -
                """);
        assertThat(authorizations).containsExactly("Bearer kiln_test");
    }

    @Test
    void submitReadsTheRecipeFileAndPrintsTheBuildId() throws Exception {
        route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-1\",\"name\":\"site\",\"total_steps\":2}");
        Path recipe = directory.resolve("site.recipe");
        Files.writeString(recipe, "# comment\nRUN echo a\n\nRUN echo b\n");

        assertThat(run("build", "submit", recipe.toString(), "--healthcheck", "curl -f localhost", "--skip-pre-post",
                "--base", "debian")).isZero();

        assertThat(out()).isEqualTo("bld-1\n");
        assertThat(JSON.readTree(requestBodies.get("POST /v1/admin/builds"))).isEqualTo(JSON.readTree("""
                {"name":"site","base_template":"debian","recipe":["RUN echo a","RUN echo b"],
                 "healthcheck":"curl -f localhost","skip_pre_post":true}
                """));
    }

    @Test
    void submitWithAnArchiveSendsTheConfigAndArchiveParts() throws Exception {
        route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-2\",\"name\":\"n\",\"total_steps\":1}");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "COPY . /app\n");
        Path archive = directory.resolve("ctx.tgz");
        Files.write(archive, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});

        assertThat(run("build", "submit", recipe.toString(), "--name", "n", "--archive", archive.toString())).isZero();

        String type = requestTypes.get("POST /v1/admin/builds");
        assertThat(type).startsWith("multipart/form-data; boundary=");
        String body = requestBodies.get("POST /v1/admin/builds");
        assertThat(body).contains("Content-Disposition: form-data; name=\"config\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"name\":\"n\",\"recipe\":[\"COPY . /app\"]}\r\n");
        assertThat(body).contains("Content-Disposition: form-data; name=\"archive\"; filename=\"ctx.tgz\"");
        assertThat(body).endsWith("--" + type.substring(type.indexOf('=') + 1) + "--\r\n");
    }

    @Test
    void submitAndFollowStreamsTheBuildAndExitsNonZeroWhenItFails() throws Exception {
        route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-3\",\"name\":\"r\",\"total_steps\":1}");
        route("/v1/admin/builds/bld-3/events", 200, "text/event-stream", """
                : keep-alive

                event: status
                data: {"status":"running","current_step":1,"total_steps":1}

                event: step-start
                data: {"step":1,"phase":"recipe","command":"RUN false"}

                event: step-end
                data: {"step":1,"phase":"recipe","command":"RUN false","stdout":"","stderr":"nope\\n","exit_code":1,"ok":false,"elapsed_ms":4}

                event: status
                data: {"status":"failed","current_step":1,"total_steps":1,"error":{"message":"recipe step 1 failed: nope","step":1}}

                """);
        route("/v1/admin/builds/bld-3", 200, "application/json", "{\"id\":\"bld-3\",\"status\":\"failed\"}");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "RUN false\n");

        assertThat(run("build", "submit", recipe.toString(), "--follow")).isEqualTo(1);

        assertThat(out()).isEqualTo("nope\n");
        assertThat(err()).contains("submitted build bld-3").contains("step 1/1 RUN false")
                .contains("build bld-3 failed at step 1/1: RUN false\n  exit code 1\n  recipe step 1 failed: nope");
    }

    @Test
    void anApiErrorIsPrintedWithItsCodeAndExitsOne() {
        route("/v1/admin/builds/bld-4/cancel", 409, "application/json",
                "{\"error\":{\"code\":\"build_finished\",\"message\":\"build is already success\"}}");
        assertThat(run("build", "cancel", "bld-4")).isEqualTo(1);
        assertThat(err()).contains("kiln: 409 build_finished: build is already success");
    }

    @Test
    void goldenStatusShowsEachHostAndASparklineOfItsBuildsWriteRate() {
        route("/v1/projects/web/golden/builds/gb-1/io", 200, "application/json", """
                {"build_id":"gb-1","status":"building","write_rate_mbps":4.0,"source":"live","samples":[
                 {"t":"2025-01-01T11:59:57Z","write_bytes":0},
                 {"t":"2025-01-01T11:59:58Z","write_bytes":8000000},
                 {"t":"2025-01-01T11:59:59Z","write_bytes":12000000}]}
                """);
        route("/v1/projects/web/golden", 200, "application/json", """
                {"status":"building","hosts":{"host-a":{"status":"building","generation":2,"size_bytes":2100000000,
                 "last_build_at":null,"last_ready_at":"2025-01-01T11:00:00Z","build_id":"gb-1","error":null}}}
                """);

        assertThat(run("golden", "status", "web")).isZero();

        assertThat(out()).contains("project web: golden building")
                .contains("host-a  building  2           2.1 GB  1h ago      gb-1   █▅ 4.0 MB/s");
    }

    @Test
    void sessionStartFollowsTheCopyUntilTheSessionRuns() {
        route("/v1/projects/web/sessions", 202, "application/json",
                "{\"id\":\"ses-1\",\"status\":\"starting\",\"host_id\":\"host-a\",\"copied_bytes\":0,\"total_bytes\":0,"
                        + "\"status_message\":\"Starting session\"}");
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/v1/sessions/ses-1", exchange -> answer(exchange, 200, "application/json",
                polls.incrementAndGet() == 1
                        ? "{\"id\":\"ses-1\",\"status\":\"starting\",\"host_id\":\"host-a\",\"copied_bytes\":2100000000,"
                                + "\"total_bytes\":7000000000,\"status_message\":\"Unpacking build cache (2.1/7.0 GB)\"}"
                        : "{\"id\":\"ses-1\",\"status\":\"running\",\"host_id\":\"host-a\",\"copied_bytes\":7000000000,"
                                + "\"total_bytes\":7000000000,\"status_message\":\"\",\"generation\":3,"
                                + "\"docker_host\":\"tcp://10.0.0.5:2375\"}"));

        assertThat(run("session", "start", "web", "--host", "host-a", "--follow")).isZero();

        assertThat(requestBodies.get("POST /v1/projects/web/sessions")).isEqualTo("{\"host_id\":\"host-a\"}");
        assertThat(out()).isEqualTo("ses-1\n");
        assertThat(err()).contains("[--------------------] Starting session")
                .contains("[######--------------] 30% Unpacking build cache (2.1/7.0 GB)")
                .contains("session ses-1 is running on host-a from golden generation 3\n  DOCKER_HOST=tcp://10.0.0.5:2375");
    }

    @Test
    void usageMistakesExitTwoAndUnreachableApisExitOne() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("build", "frobnicate")).isEqualTo(2);
        assertThat(run("build", "get")).isEqualTo(2);
        assertThat(err()).contains("missing the build id").contains("usage: kiln");
        assertThat(run("help")).isZero();
        assertThat(out()).contains("build submit <recipe-file>");

        server.stop(0);
        assertThat(run("hosts")).isEqualTo(1);
        assertThat(err()).contains("cannot reach Kiln at http://127.0.0.1:");
    }

    @Test
    void defaultTemplateNameComesFromTheRecipeFileName() {
        assertThat(KilnCli.defaultName(Path.of("/tmp/hello site.recipe"))).isEqualTo("hello-site");
        assertThat(KilnCli.defaultName(Path.of("_x.txt"))).isEqualTo("x");
    }
}
