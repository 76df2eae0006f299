package dev.kiln.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.db.Jdbis;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error paths every resource answers before it needs PostgreSQL or Temporal: bodies that are not JSON or not the
 * JSON a route reads, missing or malformed credentials, unknown routes and wrong methods or media types. Hermetic:
 * the services point at a PostgreSQL and a Temporal where nothing listens, so a test that reached either would get
 * a 503, never what it asserts.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResourceErrorsTest {
    private static final String NOWHERE = "127.0.0.1:1";
    private static final WorkflowServiceStubs NO_TEMPORAL = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(NOWHERE).build());
    private static final Jdbi NO_DATABASE = Jdbis.configure(Jdbi.create("jdbc:postgresql://" + NOWHERE + "/kiln"));
    private static final ObjectMapper JSON = new ObjectMapper();

    static final ResourceExtension RESOURCES = ApiResources.over(NO_DATABASE, WorkflowClient.newInstance(NO_TEMPORAL));

    @AfterAll
    static void closeTemporalStubs() {
        NO_TEMPORAL.shutdownNow();
    }

    /** Every route that reads a JSON body, with the method it takes. */
    static Stream<Arguments> jsonRoutes() {
        return Stream.of(
                Arguments.of("POST", "/v1/admin/teams"),
                Arguments.of("POST", "/v1/admin/teams/team-x/api-keys"),
                Arguments.of("POST", "/v1/hosts"),
                Arguments.of("POST", "/v1/hosts/register"),
                Arguments.of("POST", "/v1/hosts/auth/refresh"),
                Arguments.of("POST", "/v1/hosts/host-x/heartbeat"),
                Arguments.of("POST", "/v1/admin/builds"),
                Arguments.of("POST", "/v1/sandboxes"),
                Arguments.of("POST", "/v1/sandboxes/sb-x/exec"),
                Arguments.of("POST", "/v1/snapshots"),
                Arguments.of("POST", "/v1/admin/sandboxes/sb-x/snapshot"),
                Arguments.of("PUT", "/v1/projects/site"),
                Arguments.of("POST", "/v1/projects/site/sessions"),
                Arguments.of("PUT", "/v1/templates/py/tags/stable"),
                Arguments.of("POST", "/v1/templates/py/tags/stable/rollback"),
                Arguments.of("POST", "/v1/templates/py/versions/v1/revoke"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jsonRoutes")
    void aBodyThatIsNotJsonIsInvalidJson(String method, String path) {
        assertError(send(method, path, "{\"name\": "), 400, "invalid_json");
        assertError(send(method, path, "name=acme"), 400, "invalid_json");
    }

    /** One field of the wrong JSON type per route, and the path to it as the client spelled it. */
    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("POST", "/v1/admin/teams", "{\"name\": 5}", "name"),
                Arguments.of("POST", "/v1/admin/teams", "{\"name\": \"acme\", \"byoc\": \"true\"}", "byoc"),
                Arguments.of("POST", "/v1/admin/teams/team-x/api-keys", "{\"name\": \"ci\", \"admin\": 1}", "admin"),
                Arguments.of("POST", "/v1/hosts", "{\"type\": 5}", "type"),
                Arguments.of("POST", "/v1/hosts", "{\"type\": \"regular\", \"labels\": {\"zone\": 3}}", "labels.zone"),
                Arguments.of("POST", "/v1/hosts/register",
                        "{\"token\": \"t\", \"arch\": \"amd64\", \"cpu_cores\": \"4\", \"memory_mb\": 1, \"disk_gb\": 1}",
                        "cpu_cores"),
                Arguments.of("POST", "/v1/hosts/auth/refresh", "{\"refresh_token\": 5}", "refresh_token"),
                Arguments.of("POST", "/v1/admin/builds", "{\"name\": \"site\", \"recipe\": \"RUN true\"}", "recipe"),
                Arguments.of("POST", "/v1/admin/builds", "{\"name\": \"site\", \"recipe\": [\"RUN true\", 5]}",
                        "recipe[1]"),
                Arguments.of("POST", "/v1/admin/builds", "{\"name\": \"site\", \"recipe\": [], \"vcpus\": 1.5}",
                        "vcpus"),
                Arguments.of("POST", "/v1/sandboxes", "{\"template\": \"minimal\", \"vcpus\": \"2\"}", "vcpus"),
                Arguments.of("POST", "/v1/sandboxes/sb-x/exec", "{\"command\": [\"ls\"]}", "command"),
                Arguments.of("POST", "/v1/snapshots", "{\"sandbox_id\": 5}", "sandbox_id"),
                Arguments.of("POST", "/v1/admin/sandboxes/sb-x/snapshot", "{\"name\": true}", "name"),
                Arguments.of("PUT", "/v1/projects/site",
                        "{\"name\": \"site\", \"warmup_script\": \"true\", \"auto_warm\": \"yes\"}", "auto_warm"),
                Arguments.of("POST", "/v1/projects/site/sessions", "{\"host_id\": {}}", "host_id"),
                Arguments.of("PUT", "/v1/templates/py/tags/stable", "{\"version\": \"2\"}", "version"),
                Arguments.of("POST", "/v1/templates/py/tags/stable/rollback", "{\"version\": true}", "version"),
                Arguments.of("POST", "/v1/templates/py/versions/v1/revoke", "{\"reason\": 5}", "reason"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("wrongTypes")
    void aValueOfTheWrongJsonTypeIsInvalidRequestNamingTheField(String method, String path, String body, String field) {
        assertThat(assertError(send(method, path, body), 400, "invalid_request"))
                .startsWith("field " + field + " has the wrong type");
    }

    @Test
    void aFieldTheRequestDoesNotHaveIsRefusedByName() {
        assertThat(assertError(send("POST", "/v1/admin/teams", "{\"name\": \"acme\", \"byoc_team\": true}"), 400,
                "invalid_request")).isEqualTo("field byoc_team is not known");
        assertThat(assertError(send("POST", "/v1/admin/builds",
                "{\"name\": \"site\", \"recipe\": [\"RUN true\"], \"base_tempate\": \"debian\"}"), 400,
                "invalid_request")).isEqualTo("field base_tempate is not known");
    }

    @Test
    void aNullInsideAListOrMapIsRefusedByName() {
        assertThat(assertError(send("POST", "/v1/hosts", "{\"type\": \"regular\", \"labels\": {\"zone\": null}}"),
                400, "invalid_request")).isEqualTo("field labels.zone may not be null");
        assertThat(assertError(send("POST", "/v1/admin/builds", "{\"name\": \"site\", \"recipe\": [null]}"),
                400, "invalid_request")).isEqualTo("field recipe[0] may not be null");
    }

    @Test
    void aRequestWithoutAnApiKeyIsUnauthorized() {
        assertError(RESOURCES.target("/v1/hosts").request().get(), 401, "unauthorized");
        assertError(RESOURCES.target("/v1/templates").request().header(HttpHeaders.AUTHORIZATION, "Basic a2lsbg==")
                .get(), 401, "unauthorized");
        assertError(RESOURCES.target("/v1/admin/builds").request().header(HttpHeaders.AUTHORIZATION, "Bearer ")
                .post(Entity.json("{\"name\": \"site\", \"recipe\": [\"RUN true\"]}")), 401, "unauthorized");
    }

    @Test
    void hostRoutesNeedThatHostsOwnToken() {
        assertError(RESOURCES.target("/v1/hosts/host-a/heartbeat").request().post(Entity.json("{}")), 401,
                "unauthorized");
        assertError(RESOURCES.target("/v1/hosts/host-a/heartbeat").request().header("X-Host-Token", "a.b.c")
                .post(Entity.json("{}")), 401, "unauthorized");
        assertError(RESOURCES.target("/v1/hosts/host-a/builds/bld-x/archive").request()
                .header("X-Host-Token", ApiResources.hostTokens().issue("host-b")).get(), 403, "forbidden");
    }

    @Test
    void anUnknownRouteIsNotFound() {
        assertError(RESOURCES.target("/v1/nothing-here").request().get(), 404, "not_found");
        assertError(RESOURCES.target("/v1/hosts/host-x/nothing-here").request().post(Entity.json("{}")), 404,
                "not_found");
    }

    @Test
    void aMethodTheRouteDoesNotHaveIsMethodNotAllowedAndSaysWhichItHas() {
        Response response = RESOURCES.target("/v1/templates").request().put(Entity.json("{}"));
        assertError(response, 405, "method_not_allowed");
        assertThat(response.getHeaderString(HttpHeaders.ALLOW)).contains("GET");
    }

    @Test
    void aBodyOfAnotherMediaTypeIsUnsupported() {
        assertError(RESOURCES.target("/v1/admin/teams").request()
                .post(Entity.entity("name=acme", MediaType.APPLICATION_FORM_URLENCODED_TYPE)), 415,
                "unsupported_media_type");
    }

    @Test
    void anAcceptHeaderThatExcludesJsonIsNotAcceptable() {
        assertError(RESOURCES.target("/v1/hosts").request(MediaType.TEXT_HTML_TYPE).get(), 406, "not_acceptable");
    }

    private static Response send(String method, String path, String body) {
        Invocation.Builder request = RESOURCES.target(path).request();
        return request.method(method, Entity.entity(body, MediaType.APPLICATION_JSON_TYPE));
    }

    /** Asserts the status and the error body with its code, and returns the message. */
    private static String assertError(Response response, int status, String code) {
        String text = response.readEntity(String.class);
        assertThat(response.getStatus()).as("status of %s", text).isEqualTo(status);
        assertThat(response.getMediaType()).as("content type of %s", text).isEqualTo(MediaType.APPLICATION_JSON_TYPE);
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        assertThat(body.path("error").path("code").asText()).as("code of %s", text).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).as("message of %s", text).isNotBlank();
        return body.path("error").path("message").asText();
    }
}
