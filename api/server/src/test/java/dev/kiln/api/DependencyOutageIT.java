package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dependency that goes away is a 503 with the error body and Retry-After on the routes that need it, never a 500,
 * and {@code /healthcheck} names it. PostgreSQL and Temporal go away for this kiln-api alone: it reaches them through
 * proxies the test cuts, as a stopped server would look to it, while the shared servers go on serving other tests.
 */
class DependencyOutageIT {
    @RegisterExtension
    static final KilnApiStack STACK = KilnApiStack.behindProxies();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void withPostgresqlGoneEveryRouteThatNeedsItAnswers503DatabaseUnavailableUntilItIsBack() throws Exception {
        ApiTestClient api = STACK.client();
        Map<String, Object> registration = registration(createHost().path("registration_token").asText());

        STACK.databaseProxy().cutOff();
        try {
            assertUnavailable(api.get("/v1/templates", STACK.adminKey), "database_unavailable");
            assertUnavailable(api.get("/v1/hosts", STACK.adminKey), "database_unavailable");
            assertUnavailable(api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "acme")), "database_unavailable");
            assertUnavailable(api.post("/v1/admin/builds", STACK.adminKey,
                    Map.of("name", "outage", "recipe", List.of("RUN true"))), "database_unavailable");
            assertUnavailable(api.post("/v1/hosts/register", null, registration), "database_unavailable");

            HealthReply health = health();
            assertThat(health.status()).as("healthcheck while PostgreSQL is gone: %s", health.body()).isEqualTo(503);
            assertThat(health.body().path("postgresql").path("healthy").asBoolean(true)).isFalse();
            assertThat(health.body().path("postgresql").path("message").asText()).isNotBlank();
            assertThat(health.body().path("temporal").path("healthy").asBoolean()).isTrue();
        } finally {
            STACK.databaseProxy().restore();
        }

        awaitDatabase();
        assertThat(api.post("/v1/hosts/register", null, registration).status()).isEqualTo(201);
        assertThat(Await.until(Duration.ofSeconds(30), DependencyOutageIT::health, reply -> reply.status() == 200,
                "the health check to pass again").body().path("postgresql").path("healthy").asBoolean()).isTrue();
    }

    @Test
    void withTemporalGoneRoutesThatStartOrSignalAWorkflowAnswer503TemporalUnavailable() throws Exception {
        ApiTestClient api = STACK.client();
        awaitDatabase();
        String hostId = createHost().path("host").path("id").asText();

        STACK.temporalProxy().cutOff();
        try {
            // The build route catches the failed start itself, marks the build failed and says so.
            assertUnavailable(api.post("/v1/admin/builds", STACK.adminKey,
                    Map.of("name", "no-temporal", "recipe", List.of("RUN true"))), "temporal_unavailable");
            // Deleting a host signals its workflow and has no catch: the mappers recognise Temporal being gone.
            assertUnavailable(api.delete("/v1/hosts/" + hostId, STACK.adminKey), "temporal_unavailable");
            // Routes that only read PostgreSQL do not notice.
            assertThat(api.get("/v1/templates", STACK.adminKey).status()).isEqualTo(200);

            HealthReply health = health();
            assertThat(health.status()).as("healthcheck while Temporal is gone: %s", health.body()).isEqualTo(503);
            assertThat(health.body().path("temporal").path("healthy").asBoolean(true)).isFalse();
            assertThat(health.body().path("postgresql").path("healthy").asBoolean()).isTrue();
        } finally {
            STACK.temporalProxy().restore();
        }
        assertThat(Await.until(Duration.ofSeconds(60), DependencyOutageIT::health, reply -> reply.status() == 200,
                "the health check to pass again").body().path("temporal").path("healthy").asBoolean()).isTrue();
    }

    /** The pool's connections die with a cut and are replaced as requests find them dead. */
    private static void awaitDatabase() throws InterruptedException {
        Await.until(Duration.ofSeconds(30), () -> STACK.client().get("/v1/templates", STACK.adminKey).status(),
                status -> status == 200, "the templates route to answer (PostgreSQL reachable)");
    }

    private static void assertUnavailable(ApiTestClient.Reply reply, String code) {
        assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(503);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.errorCode()).as("code of %s", reply.body()).isEqualTo(code);
        assertThat(reply.body().path("error").path("error_id").asText()).isNotBlank();
        assertThat(reply.header("Retry-After")).as("Retry-After of %s", reply.body()).matches("[1-9][0-9]*");
    }

    private static JsonNode createHost() {
        ApiTestClient.Reply created = STACK.client().post("/v1/hosts", STACK.adminKey, Map.of("type", "regular"));
        assertThat(created.status()).as("host created: %s", created.body()).isEqualTo(201);
        return created.body();
    }

    private static Map<String, Object> registration(String token) {
        return Map.of("token", token, "arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20);
    }

    private record HealthReply(int status, JsonNode body) {}

    private static HealthReply health() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + STACK.adminPort() + "/healthcheck"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new HealthReply(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new AssertionError("healthcheck did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
