package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.db.BuildArchiveDao;
import dev.kiln.db.BuildArchiveRow;
import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.Ids;
import dev.kiln.model.BuildStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Multipart submit with an archive, the host's archive download, cancel and the event stream, on a real kiln-api,
 * PostgreSQL and Temporal dev server. No kiln-host runs: every build waits in placement until it is cancelled.
 */
class BuildArchiveAndCancelIT {
    private static final long MIB = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    /** A small limit, so the limit's edges can be tested without uploading hundreds of megabytes each time. */
    @RegisterExtension
    static final KilnApiStack SMALL_LIMIT = new KilnApiStack(Map.of("maxArchiveBytes", String.valueOf(MIB)));

    private static ApiTestClient api;
    private static String adminKeyId;
    private static String adminKey;

    @BeforeAll
    static void createAnAdminKeyWhoseIdIsKnown() {
        api = STACK.client();
        ApiTestClient.Reply key = api.post("/v1/admin/teams/" + Ids.PLATFORM_TEAM_ID + "/api-keys", STACK.adminKey,
                Map.of("name", "canceller", "admin", true));
        assertThat(key.status()).isEqualTo(201);
        adminKeyId = key.body().path("id").asText();
        adminKey = key.body().path("key").asText();
    }

    @Test
    void multipartSubmitWithATarGzIsAcceptedAndStoresTheArchive() throws Exception {
        byte[] archive = tarGz();

        ApiTestClient.Reply reply = api.postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().json("config", config(uniqueName())).file("archive", "files.tar.gz", archive));

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(202);
        assertThat(reply.body().path("status").asText()).isIn("pending", "running");
        String buildId = reply.body().path("id").asText();
        BuildArchiveRow stored = archives(STACK).findMetadata(buildId).orElseThrow();
        assertThat(stored.format()).isEqualTo("tar.gz");
        assertThat(stored.sizeBytes()).isEqualTo(archive.length);
        assertThat(stored.sha256()).isEqualTo(sha256(archive));
        cancel(buildId);
    }

    @Test
    void multipartSubmitWithoutAnArchiveIsAccepted() {
        ApiTestClient.Reply reply = api.postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().json("config", config(uniqueName())));

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(202);
        String buildId = reply.body().path("id").asText();
        assertThat(archives(STACK).findMetadata(buildId)).isEmpty();
        cancel(buildId);
    }

    @Test
    void theDefaultLimitIs100MiBAndOneByteMoreIsRefusedWithTheApiError() {
        assertThat(STACK.configuration().getMaxArchiveBytes()).isEqualTo(100 * MIB);
        String name = uniqueName();

        ApiTestClient.Reply reply = api.postMultipart("/v1/admin/builds", STACK.adminKey, new MultipartBody()
                .json("config", config(name))
                .file("archive", "big.tar.gz", 100 * MIB + 1, () -> gzipLooking(100 * MIB + 1)));

        assertError(reply, 413, "archive_too_large");
        assertThat(api.get("/v1/admin/builds", STACK.adminKey).body().findValuesAsText("name")).doesNotContain(name);
    }

    @Test
    void archivesAtTheLimitPassAndOverItAreRefusedHoweverTheyArrive() throws IOException {
        ApiTestClient small = SMALL_LIMIT.client();
        String key = SMALL_LIMIT.adminKey;

        ApiTestClient.Reply atLimit = small.postMultipart("/v1/admin/builds", key, new MultipartBody()
                .json("config", config(uniqueName())).file("archive", "a.tar.gz", MIB, () -> gzipLooking(MIB)));
        assertThat(atLimit.status()).as("%s", atLimit.body()).isEqualTo(202);
        cancel(SMALL_LIMIT, atLimit.body().path("id").asText());

        // Counted by the resource: the body is within the envelope, the archive one byte over.
        assertError(small.postMultipart("/v1/admin/builds", key, new MultipartBody()
                .json("config", config(uniqueName())).file("archive", "a.tar.gz", MIB + 1, () -> gzipLooking(MIB + 1))),
                413, "archive_too_large");
        // Refused on its Content-Length before a byte of the body is read: a client that waits for 100 Continue, as
        // curl does with large uploads, never sends it.
        RawReply declaredTooLarge = headOnly(SMALL_LIMIT.port(), "/v1/admin/builds", key,
                "multipart/form-data; boundary=never-sent", 100 * MIB);
        assertThat(declaredTooLarge.statusLine()).startsWith("HTTP/1.1 413");
        assertThat(declaredTooLarge.body().path("error").path("code").asText()).isEqualTo("archive_too_large");
        // No Content-Length: cut off while the multipart reader spools it, just past archive limit plus envelope.
        assertError(small.postMultipart("/v1/admin/builds", key, new MultipartBody()
                .json("config", config(uniqueName()))
                .file("archive", "a.tar.gz", 2 * MIB + 1024, () -> gzipLooking(2 * MIB + 1024))
                .chunked()),
                413, "archive_too_large");
    }

    @Test
    void badMultipartSubmitsAreRefusedAndQueueNothing() throws Exception {
        String name = uniqueName();

        assertError(api.postMultipart("/v1/admin/builds", STACK.adminKey, new MultipartBody()
                .json("config", config(name)).file("archive", "notes.txt", "just text, no archive".getBytes())),
                400, "invalid_archive");
        assertThat(assertError(api.postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().file("archive", "a.tar.gz", tarGz())), 400, "invalid_request")).contains("config");
        assertError(api.postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().json("config", "{\"name\": ")), 400, "invalid_json");
        assertThat(assertError(api.postMultipart("/v1/admin/builds", STACK.adminKey,
                new MultipartBody().json("config", "{\"name\":\"x\",\"recipe\":\"RUN true\"}")), 400, "invalid_request"))
                .contains("recipe");
        assertError(api.postMultipart("/v1/admin/builds", "kiln_wrong", new MultipartBody().json("config", config(name))),
                401, "unauthorized");
        assertThat(api.get("/v1/admin/builds", STACK.adminKey).body().findValuesAsText("name")).doesNotContain(name);
    }

    @Test
    void aHostDownloadsOnlyTheArchivesOfItsOwnBuilds() throws Exception {
        Map<String, String> first = registerUnplaceableHost();
        Map<String, String> second = registerUnplaceableHost();
        String hostId = first.get("id");
        String token = first.get("token");
        byte[] archive = tarGz();
        String withArchive = api.postMultipart("/v1/admin/builds", STACK.adminKey, new MultipartBody()
                .json("config", config(uniqueName())).file("archive", "files.tar.gz", archive)).body().path("id").asText();
        String withoutArchive = api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", uniqueName(), "recipe", List.of("RUN true"))).body().path("id").asText();
        String path = "/v1/hosts/" + hostId + "/builds/" + withArchive + "/archive";

        assertError(download(path, null), 401, "unauthorized");
        assertError(download(path, STACK.adminKey), 401, "unauthorized");
        assertError(download("/v1/hosts/" + second.get("id") + "/builds/" + withArchive + "/archive", token), 403,
                "forbidden");
        assertError(download(path, token), 404, "not_found");

        assignHost(withArchive, hostId);
        assignHost(withoutArchive, hostId);
        assertError(download("/v1/hosts/" + hostId + "/builds/" + withoutArchive + "/archive", token), 404, "not_found");
        assertError(download("/v1/hosts/" + hostId + "/builds/bld-nope/archive", token), 404, "not_found");
        HttpResponse<byte[]> ok = rawDownload(path, token);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(ok.headers().firstValue("X-Archive-Format")).hasValue("tar.gz");
        assertThat(ok.headers().firstValue("X-Archive-Sha256")).hasValue(sha256(archive));
        assertThat(ok.body()).isEqualTo(archive);
        assertError(download("/v1/hosts/" + second.get("id") + "/builds/" + withArchive + "/archive",
                second.get("token")), 404, "not_found");
        cancel(withArchive);
        cancel(withoutArchive);
    }

    @Test
    void cancellingAnUnknownBuildIsNotFound() {
        assertError(api.post("/v1/admin/builds/bld-nope/cancel", adminKey, Map.of()), 404, "not_found");
    }

    @Test
    void aCancelledBuildEndsCancelledByTheKeyThatCancelledIt() throws Exception {
        String buildId = submit();

        ApiTestClient.Reply reply = api.postRaw("/v1/admin/builds/" + buildId + "/cancel", adminKey, "", Map.of());

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(202);
        assertThat(reply.body().path("id").asText()).isEqualTo(buildId);
        String requestedBy = STACK.database().jdbi().withHandle(handle -> handle
                .select("SELECT cancel_requested_by FROM template_builds WHERE id = ?", buildId)
                .mapTo(String.class)
                .one());
        assertThat(requestedBy).isEqualTo(adminKeyId);
        JsonNode build = Await.until(Duration.ofSeconds(60), () -> api.get("/v1/admin/builds/" + buildId, adminKey).body(),
                body -> body.path("status").asText().equals("cancelled"), "build " + buildId + " to be cancelled");
        assertThat(build.path("cancelled_by").asText()).isEqualTo(adminKeyId);
        assertThat(build.has("completed_at")).isTrue();
    }

    @Test
    void cancellingAFinishedBuildIsAConflict() {
        BuildRow finished = insertBuildWithoutWorkflow(BuildStatus.SUCCESS);

        ApiTestClient.Reply reply = api.post("/v1/admin/builds/" + finished.id() + "/cancel", adminKey, Map.of());

        assertThat(assertError(reply, 409, "build_finished")).isEqualTo("build is already success");
    }

    @Test
    void cancellingALiveBuildWhoseWorkflowHasClosedIsAccepted() {
        BuildRow orphan = insertBuildWithoutWorkflow(BuildStatus.RUNNING);

        ApiTestClient.Reply reply = api.post("/v1/admin/builds/" + orphan.id() + "/cancel", adminKey, Map.of());

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(202);
    }

    @Test
    void theEventStreamFollowsABuildUntilItIsCancelledAndThenEnds() throws Exception {
        String buildId = submit();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> response = http.send(events(buildId), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        Iterator<String> lines = response.body().iterator();

        Event first = within(Duration.ofSeconds(10), () -> nextEvent(lines));
        assertThat(first.name()).isEqualTo("status");
        assertThat(first.data().path("status").asText()).isIn("pending", "running");
        assertThat(first.data().path("total_steps").asInt()).isPositive();
        assertThat(api.post("/v1/admin/builds/" + buildId + "/cancel", adminKey, Map.of()).status()).isEqualTo(202);

        List<Event> rest = within(Duration.ofSeconds(60), () -> {
            List<Event> events = new ArrayList<>();
            for (Event event = nextEvent(lines); event != null; event = nextEvent(lines)) {
                events.add(event);
            }
            return events;
        });
        assertThat(rest).isNotEmpty();
        Event last = rest.get(rest.size() - 1);
        assertThat(last.name()).isEqualTo("status");
        assertThat(last.data().path("status").asText()).isEqualTo("cancelled");
        assertThat(last.data().path("cancelled_by").asText()).isEqualTo(adminKeyId);
    }

    @Test
    void theEventStreamOfAnUnknownBuildIsAJsonNotFound() {
        assertError(api.send(api.request("/v1/admin/builds/bld-nope/events", adminKey)
                .header("Accept", "text/event-stream").GET()), 404, "not_found");
    }

    private record RawReply(String statusLine, JsonNode body) {}

    /**
     * Sends the head of a POST that declares a body and asks for 100 Continue, and reads the answer without sending
     * the body. (Java's HttpClient waits forever when a server answers such a request with a final status.)
     */
    private static RawReply headOnly(int port, String path, String key, String contentType, long contentLength)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: " + contentType + "\r\n"
                    + "Content-Length: " + contentLength + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = reply.indexOf("\r\n\r\n");
            String head = reply.substring(0, headEnd);
            String body = reply.substring(headEnd + 4);
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                StringBuilder joined = new StringBuilder();
                int at = 0;
                for (int size; (size = Integer.parseInt(body.substring(at, body.indexOf("\r\n", at)), 16)) > 0; ) {
                    int start = body.indexOf("\r\n", at) + 2;
                    joined.append(body, start, start + size);
                    at = start + size + 2;
                }
                body = joined.toString();
            }
            return new RawReply(head.lines().findFirst().orElseThrow(), JSON.readTree(body));
        }
    }

    private record Event(String name, JsonNode data) {}

    /** The next event, skipping comments such as keep-alives; null once the server has closed the stream. */
    private static Event nextEvent(Iterator<String> lines) throws IOException {
        String name = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (name != null) {
                    return new Event(name, JSON.readTree(data.toString()));
                }
            } else if (line.startsWith("event: ")) {
                name = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                data.append(line.substring("data: ".length()));
            }
        }
        return null;
    }

    private interface Reading<T> {
        T read() throws IOException;
    }

    /** Reads on another thread, so that a stream that never ends fails the test instead of hanging it. */
    private static <T> T within(Duration timeout, Reading<T> reading) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reading.read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static HttpRequest events(String buildId) {
        return api.request("/v1/admin/builds/" + buildId + "/events", adminKey)
                .header("Accept", "text/event-stream")
                .GET()
                .build();
    }

    private static String submit() {
        ApiTestClient.Reply reply = api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", uniqueName(), "recipe", List.of("RUN echo one", "RUN echo two")));
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(202);
        return reply.body().path("id").asText();
    }

    private static void cancel(String buildId) {
        cancel(STACK, buildId);
    }

    /** Leaves no workflow waiting in placement on the shared Temporal server. */
    private static void cancel(KilnApiStack stack, String buildId) {
        assertThat(stack.client().post("/v1/admin/builds/" + buildId + "/cancel", stack.adminKey, Map.of()).status())
                .isEqualTo(202);
    }

    /**
     * Registers a host and then drains it in the database: it has no worker, so no build of this class may be
     * placed on it, and draining is the state that keeps placement away.
     */
    private static Map<String, String> registerUnplaceableHost() {
        String registration = api.post("/v1/hosts", STACK.adminKey, Map.of("type", "regular")).body()
                .path("registration_token").asText();
        JsonNode registered = api.post("/v1/hosts/register", null,
                Map.of("token", registration, "arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20)).body();
        String hostId = registered.path("host").path("id").asText();
        STACK.database().jdbi().useHandle(handle ->
                handle.execute("UPDATE hosts SET draining = TRUE WHERE id = ?", hostId));
        return Map.of("id", hostId, "token", registered.path("token").asText());
    }

    /** A build row with no workflow behind it, as one whose workflow has closed or was never started. */
    private static BuildRow insertBuildWithoutWorkflow(BuildStatus status) {
        BuildRow build = new BuildRow(Ids.newId("bld"), Ids.PLATFORM_TEAM_ID, uniqueName(), "minimal",
                "kiln/minimal:latest", List.of("RUN true"), null, 1, 512, false, status, 1, 0, 1, null, null, null, null,
                null, null, "test", null, null, null, null, null);
        STACK.database().jdbi().onDemand(BuildDao.class).insert(build);
        return build;
    }

    private static void assignHost(String buildId, String hostId) {
        assertThat(STACK.database().jdbi().onDemand(BuildDao.class).markPlaced(buildId, hostId, Instant.now())).isEqualTo(1);
    }

    private static ApiTestClient.Reply download(String path, String hostToken) {
        HttpRequest.Builder request = api.request(path, null).GET();
        if (hostToken != null) {
            request.header("X-Host-Token", hostToken);
        }
        return api.send(request);
    }

    private static HttpResponse<byte[]> rawDownload(String path, String hostToken) throws Exception {
        return HttpClient.newHttpClient().send(api.request(path, null).header("X-Host-Token", hostToken).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static BuildArchiveDao archives(KilnApiStack stack) {
        return stack.database().jdbi().onDemand(BuildArchiveDao.class);
    }

    private static String config(String name) {
        return ApiTestClient.write(Map.of("name", name, "recipe", List.of("RUN ls /tmp/build-files"), "vcpus", 1));
    }

    private static String uniqueName() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A real tar.gz of one small file, made by tar as a user would. */
    private static byte[] tarGz() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kiln-archive-it-");
        Path file = Files.writeString(dir.resolve("hello.txt"), "hello from the archive\n");
        Path archive = dir.resolve("files.tar.gz");
        try {
            Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", dir.toString(), "hello.txt")
                    .redirectErrorStream(true).start();
            assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
            return Files.readAllBytes(archive);
        } finally {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /** {@code size} bytes that start like gzip, generated as they are sent rather than held. */
    private static InputStream gzipLooking(long size) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position >= size) {
                    return -1;
                }
                long at = position++;
                return at == 0 ? 0x1f : at == 1 ? 0x8b : 0;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= size) {
                    return -1;
                }
                int count = (int) Math.min(length, size - position);
                for (int i = 0; i < count; i++) {
                    long at = position + i;
                    buffer[offset + i] = at == 0 ? 0x1f : at == 1 ? (byte) 0x8b : 0;
                }
                position += count;
                return count;
            }
        };
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** Asserts status, code and a message, and returns the message for further checks. */
    private static String assertError(ApiTestClient.Reply reply, int status, String code) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        assertThat(reply.errorCode()).as("code of %s", reply.body()).isEqualTo(code);
        assertThat(reply.errorMessage()).isNotBlank();
        return reply.errorMessage();
    }
}
