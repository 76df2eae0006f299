package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every bad request on the slice's routes gets a 4xx with the error body, never a 500. */
class ApiErrorsIT {
    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final Map<String, String> HOST_TOKENS = new ConcurrentHashMap<>();
    private static ApiTestClient api;
    private static String teamKey;

    @BeforeAll
    static void createATeamWithAKey() {
        api = STACK.client();
        String teamId = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "acme")).body().path("id").asText();
        ApiTestClient.Reply key = api.post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "ci"));
        assertThat(key.status()).isEqualTo(201);
        teamKey = key.body().path("key").asText();
    }

    @Test
    void malformedJsonIsInvalidJson() {
        assertError(api.postRaw("/v1/admin/teams", STACK.adminKey, "{\"name\": ", Map.of()), 400, "invalid_json");
        assertError(api.postRaw("/v1/admin/builds", STACK.adminKey, "not json", Map.of()), 400, "invalid_json");
        assertError(api.postRaw("/v1/hosts/register", null, "[}", Map.of()), 400, "invalid_json");
    }

    @Test
    void wrongTypeNamesTheField() {
        ApiTestClient.Reply reply = api.postRaw("/v1/admin/builds", STACK.adminKey,
                "{\"name\":\"x\",\"recipe\":\"RUN true\"}", Map.of());
        assertError(reply, 400, "invalid_request");
        assertThat(reply.errorMessage()).contains("recipe");
    }

    @Test
    void aNumberForTheTeamNameIsRefusedNamingTheFieldAndCreatesNoTeam() {
        assertThat(assertError(api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", 5)), 400, "invalid_request"))
                .startsWith("field name has the wrong type");
        int teamsNamedFive = STACK.database().jdbi().withHandle(handle -> handle
                .createQuery("SELECT count(*) FROM teams WHERE name = '5'").mapTo(Integer.class).one());
        assertThat(teamsNamedFive).isZero();
    }

    @Test
    void hostLabelsWithANullValueAreRefusedAndNeverStored() {
        Map<String, Object> labels = new HashMap<>();
        labels.put("zone", null);
        assertThat(assertError(api.post("/v1/hosts", STACK.adminKey, Map.of("type", "regular", "labels", labels)), 400,
                "invalid_request")).isEqualTo("field labels.zone may not be null");
        for (JsonNode host : api.get("/v1/hosts", STACK.adminKey).body()) {
            host.path("labels").forEach(value -> assertThat(value.isTextual()).as("labels of %s", host).isTrue());
        }
    }

    @Test
    void missingFieldsAreInvalidRequestNamingTheField() {
        assertThat(assertError(api.post("/v1/admin/teams", STACK.adminKey, Map.of()), 400, "invalid_request"))
                .contains("name");
        assertThat(assertError(api.postRaw("/v1/admin/teams", STACK.adminKey, "", Map.of()), 400, "invalid_request"))
                .contains("body");
        assertThat(assertError(api.post("/v1/hosts", STACK.adminKey, Map.of()), 400, "invalid_request")).contains("type");
        assertThat(assertError(api.post("/v1/admin/builds", STACK.adminKey, Map.of("name", "x")), 400, "invalid_request"))
                .contains("recipe");
        assertThat(assertError(api.post("/v1/hosts/register", null, Map.of("token", "abc")), 400, "invalid_request"))
                .contains("arch");
    }

    @Test
    void unknownIdsAndRoutesAreNotFound() {
        assertError(api.get("/v1/admin/builds/bld-nope", STACK.adminKey), 404, "not_found");
        assertError(api.get("/v1/hosts/host-nope", STACK.adminKey), 404, "not_found");
        assertError(api.post("/v1/admin/teams/team-nope/api-keys", STACK.adminKey, Map.of("name", "k")), 404, "not_found");
        assertError(api.get("/v1/nothing-here", STACK.adminKey), 404, "not_found");
        assertError(api.post("/v1/hosts", STACK.adminKey, Map.of("type", "byoc", "team_id", "team-nope")), 404,
                "team_not_found");
    }

    @Test
    void usedRegistrationTokenIsUnauthorized() {
        String token = api.post("/v1/hosts", STACK.adminKey, Map.of("type", "regular")).body()
                .path("registration_token").asText();
        Map<String, Object> registration = Map.of(
                "token", token, "arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20);

        ApiTestClient.Reply first = api.post("/v1/hosts/register", null, registration);
        assertThat(first.status()).isEqualTo(201);
        // Registered, not yet online: only a heartbeat from a running kiln-host whose worker answers makes it so (#15).
        assertThat(first.body().path("host").path("status").asText()).isEqualTo("pending");
        assertError(api.post("/v1/hosts/register", null, registration), 401, "unauthorized");
        assertError(api.post("/v1/hosts/register", null, Map.of(
                "token", "f".repeat(64), "arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20)),
                401, "unauthorized");
    }

    @Test
    void heartbeatNeedsThisHostsOwnToken() {
        String first = registerHost();
        String second = registerHost();
        String firstToken = hostToken(first);

        ApiTestClient.Reply renewed =
                api.postRaw("/v1/hosts/" + first + "/heartbeat", null, "{}", Map.of("X-Host-Token", firstToken));
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(renewed.body().path("next_heartbeat_ms").asLong()).isPositive();
        assertError(api.postRaw("/v1/hosts/" + second + "/heartbeat", null, "{}", Map.of("X-Host-Token", firstToken)),
                403, "forbidden");
        assertError(api.postRaw("/v1/hosts/" + first + "/heartbeat", STACK.adminKey, "{}", Map.of()), 401,
                "unauthorized");
        assertError(api.postRaw("/v1/hosts/" + first + "/heartbeat", null, "{}", Map.of("X-Host-Token", "a.b.c")), 401,
                "unauthorized");
    }

    @Test
    void hostTokenIsNotAnApiKey() {
        String hostId = registerHost();
        assertError(api.get("/v1/hosts", hostToken(hostId)), 401, "unauthorized");
    }

    @Test
    void wrongOrMissingKeyIsUnauthorized() {
        assertError(api.get("/v1/hosts", "kiln_wrong"), 401, "unauthorized");
        assertError(api.get("/v1/hosts", null), 401, "unauthorized");
        assertError(api.get("/v1/templates", "kiln_wrong"), 401, "unauthorized");
        assertError(api.post("/v1/admin/builds", "kiln_wrong", Map.of("name", "x", "recipe", List.of("RUN true"))), 401,
                "unauthorized");
    }

    @Test
    void nonAdminKeyOnAdminRoutesIsForbidden() {
        assertError(api.post("/v1/admin/teams", teamKey, Map.of("name", "evil")), 403, "forbidden");
        assertError(api.get("/v1/admin/builds", teamKey), 403, "forbidden");
        assertError(api.post("/v1/admin/builds", teamKey, Map.of("name", "x", "recipe", List.of("RUN true"))), 403,
                "forbidden");
        assertError(api.post("/v1/hosts", teamKey, Map.of("type", "regular")), 403, "forbidden");
        assertThat(api.get("/v1/templates", teamKey).status()).isEqualTo(200);
    }

    @Test
    void badBuildsAreRefusedAtSubmitAndNothingIsQueued() {
        ApiTestClient.Reply badLine = api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", "bad", "recipe", List.of("RUN true", "FROBNICATE now")));
        assertThat(assertError(badLine, 400, "invalid_recipe")).startsWith("recipe line 2: unknown instruction \"FROBNICATE\"");
        assertError(api.post("/v1/admin/builds", STACK.adminKey, Map.of("name", "bad", "recipe", List.of())), 400,
                "invalid_recipe");
        assertError(api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", "../etc", "recipe", List.of("RUN true"))), 400, "invalid_request");
        assertError(api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", "minimal", "recipe", List.of("RUN true"))), 403, "forbidden");
        assertError(api.post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", "fresh", "base_template", "nope", "recipe", List.of("RUN true"))), 404, "template_not_found");
        assertError(api.get("/v1/admin/builds?status=bogus", STACK.adminKey), 400, "invalid_request");
        assertError(api.get("/v1/templates?type=bogus", STACK.adminKey), 400, "invalid_request");
        assertThat(api.get("/v1/admin/builds", STACK.adminKey).body()).isEmpty();
    }

    @Test
    void errorsJettyAnswersBeforeJerseyCarryTheJsonErrorBody() {
        assertJsonError(api.get("/v1/sandboxes/..%2F..%2Fetc", teamKey), 400, "invalid_request");
        // Jetty's own page had no body at all for methods other than GET, POST and HEAD.
        assertJsonError(api.delete("/v1/sandboxes/sb%5Cx", teamKey), 400, "invalid_request");
        assertJsonError(api.send(api.request("/v1/hosts/%00", STACK.adminKey).PUT(HttpRequest.BodyPublishers.noBody())),
                400, "invalid_request");
        assertJsonError(api.send(api.request("/v1/hosts", STACK.adminKey).header("X-Padding", "x".repeat(20_000))),
                431, "headers_too_large");
        assertJsonError(api.get("/v1/hosts?padding=" + "x".repeat(20_000), STACK.adminKey), 414, "uri_too_long");
    }

    @Test
    void errorsJerseyAnswersByStatusCarryTheJsonErrorBody() {
        ApiTestClient.Reply wrongMethod = api.send(api.request("/v1/hosts", STACK.adminKey)
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        assertJsonError(wrongMethod, 405, "method_not_allowed");
        assertThat(wrongMethod.header("Allow")).contains("GET").contains("POST");
        assertJsonError(api.postRaw("/v1/admin/teams", STACK.adminKey, "name=acme",
                Map.of("Content-Type", "application/x-www-form-urlencoded")), 415, "unsupported_media_type");
        assertJsonError(api.send(api.request("/v1/hosts", STACK.adminKey).header("Accept", "text/html")), 406,
                "not_acceptable");
        assertJsonError(api.get("/v1/nothing-here", STACK.adminKey), 404, "not_found");
    }

    private static void assertJsonError(ApiTestClient.Reply reply, int status, String code) {
        assertThat(reply.header("Content-Type")).as("content type of %s", reply.body()).startsWith("application/json");
        assertError(reply, status, code);
    }

    private static String registerHost() {
        String token = api.post("/v1/hosts", STACK.adminKey, Map.of("type", "regular")).body()
                .path("registration_token").asText();
        ApiTestClient.Reply registered = api.post("/v1/hosts/register", null,
                Map.of("token", token, "arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20));
        HOST_TOKENS.put(registered.body().path("host").path("id").asText(), registered.body().path("token").asText());
        return registered.body().path("host").path("id").asText();
    }

    private static String hostToken(String hostId) {
        return HOST_TOKENS.get(hostId);
    }

    /** Asserts status, code and a message, and returns the message for further checks. */
    private static String assertError(ApiTestClient.Reply reply, int status, String code) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
        assertThat(reply.errorCode()).as("code of %s", reply.body()).isEqualTo(code);
        assertThat(reply.errorMessage()).isNotBlank();
        return reply.errorMessage();
    }
}
