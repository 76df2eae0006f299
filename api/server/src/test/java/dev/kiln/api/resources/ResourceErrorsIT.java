package dev.kiln.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.TcpProxy;
import dev.kiln.db.ApiKeyDao;
import dev.kiln.db.Ids;
import dev.kiln.db.Jdbis;
import dev.kiln.db.TeamDao;
import dev.kiln.db.TeamRow;
import dev.kiln.db.TestDatabase;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error paths of the resources that need PostgreSQL: keys it does not know or that are not admin keys, ids that
 * name nothing (whatever characters they hold), and PostgreSQL itself gone. The resources run over a real, freshly
 * migrated database, reached through a proxy the last test cuts; Temporal is never reached on these paths.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ResourceErrorsIT {
    @RegisterExtension
    static final TestDatabase DATABASE = new TestDatabase();

    private static final String ADMIN_KEY = "kiln_resource_it_admin_" + Ids.randomTokenHex(8);
    private static final String TEAM_KEY = "kiln_resource_it_team_" + Ids.randomTokenHex(8);
    private static final WorkflowServiceStubs NO_TEMPORAL = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Started with the first connection, once the database exists: the resources are built before it does. */
    private static TcpProxy postgres;

    static final ResourceExtension RESOURCES = ApiResources.over(
            Jdbis.configure(Jdbi.create(ResourceErrorsIT::connectThroughProxy)), WorkflowClient.newInstance(NO_TEMPORAL));

    @BeforeAll
    static void createKeys() {
        ApiKeyDao keys = DATABASE.jdbi().onDemand(ApiKeyDao.class);
        keys.insertIfAbsent(Ids.newId("key"), Ids.PLATFORM_TEAM_ID, "admin", Ids.sha256Hex(ADMIN_KEY), true);
        String teamId = Ids.newId("team");
        DATABASE.jdbi().onDemand(TeamDao.class).insert(new TeamRow(teamId, "acme", false, null));
        keys.insertIfAbsent(Ids.newId("key"), teamId, "ci", Ids.sha256Hex(TEAM_KEY), false);
    }

    @AfterAll
    static void closeProxyAndStubs() {
        if (postgres != null) {
            postgres.close();
        }
        NO_TEMPORAL.shutdownNow();
    }

    @Test
    void aKeyNobodyIssuedIsUnauthorized() {
        assertError(get("/v1/templates", "kiln_" + Ids.randomTokenHex(32)), 401, "unauthorized");
        assertError(get("/v1/admin/builds", "kiln_" + Ids.randomTokenHex(32)), 401, "unauthorized");
    }

    @Test
    void aTeamKeyOnAnAdminRouteIsForbidden() {
        assertError(get("/v1/admin/builds", TEAM_KEY), 403, "forbidden");
        assertError(RESOURCES.target("/v1/admin/teams").request().header(HttpHeaders.AUTHORIZATION, "Bearer " + TEAM_KEY)
                .post(Entity.json("{\"name\": \"evil\"}")), 403, "forbidden");
        assertThat(get("/v1/templates", TEAM_KEY).getStatus()).isEqualTo(200);
    }

    /** Routes that look an id up, each with an id of odd characters: none of them is a 500 or a 400. */
    static Stream<Arguments> idsThatNameNothing() {
        return Stream.of("nope", "sb-\u00fc\u00f1\u00ee", "a b", "x;y=1", "100%", "..", "\u0007", "'; DROP TABLE hosts; --")
                .flatMap(id -> Stream.of(
                        Arguments.of("GET", "/v1/hosts/{id}", id),
                        Arguments.of("GET", "/v1/admin/builds/{id}", id),
                        Arguments.of("GET", "/v1/admin/builds/{id}/events", id),
                        Arguments.of("GET", "/v1/sandboxes/{id}", id),
                        Arguments.of("DELETE", "/v1/sandboxes/{id}", id),
                        Arguments.of("DELETE", "/v1/templates/{id}", id),
                        Arguments.of("GET", "/v1/templates/{id}/versions", id),
                        Arguments.of("GET", "/v1/templates/{id}/tags", id),
                        Arguments.of("GET", "/v1/templates/{id}/tags/latest/history", id),
                        Arguments.of("POST", "/v1/templates/{id}/versions/1/restore", id),
                        Arguments.of("GET", "/v1/sessions/{id}", id),
                        Arguments.of("GET", "/v1/projects/{id}/golden", id)));
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("idsThatNameNothing")
    void anIdThatNamesNothingIsNotFound(String method, String route, String id) {
        Response response = RESOURCES.target(route).resolveTemplate("id", id).request()
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
                .method(method);
        assertError(response, 404, "not_found");
    }

    /** Text PostgreSQL refuses to store or compare: a NUL in a value it looks up, in a column, in a jsonb key. */
    static Stream<Arguments> textWithANul() {
        return Stream.of(
                Arguments.of("POST", "/v1/snapshots", "{\"sandbox_id\": \"sb-\\u0000\"}"),
                Arguments.of("PUT", "/v1/projects/site", "{\"name\": \"si\\u0000te\", \"warmup_script\": \"true\"}"),
                Arguments.of("POST", "/v1/hosts", "{\"type\": \"regular\", \"labels\": {\"zo\\u0000ne\": \"a\"}}"),
                Arguments.of("POST", "/v1/templates/minimal/versions/1/revoke", "{\"reason\": \"cve\\u0000\"}"),
                Arguments.of("POST", "/v1/sandboxes", "{\"template\": \"mini\\u0000mal\"}"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("textWithANul")
    void textWithANulCharacterIsInvalidRequestNotAServerError(String method, String path, String body) {
        assertError(RESOURCES.target(path).request().header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
                .method(method, Entity.json(body)), 400, "invalid_request");
    }

    @Test
    void withPostgresqlGoneARouteAnswers503DatabaseUnavailableWithRetryAfter() {
        get("/v1/templates", ADMIN_KEY).close();
        postgres.cutOff();
        try {
            Response response = get("/v1/templates", ADMIN_KEY);
            assertError(response, 503, "database_unavailable");
            assertThat(response.getHeaderString("Retry-After")).matches("[1-9][0-9]*");
        } finally {
            postgres.restore();
        }
        assertThat(get("/v1/templates", ADMIN_KEY).getStatus()).isEqualTo(200);
    }

    private static synchronized Connection connectThroughProxy() throws SQLException {
        URI server = URI.create(DATABASE.jdbcUrl().substring("jdbc:".length()));
        if (postgres == null) {
            postgres = TcpProxy.to(server.getHost(), server.getPort());
        }
        String url = DATABASE.jdbcUrl().replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + postgres.port());
        return DriverManager.getConnection(url, DATABASE.user(), DATABASE.password());
    }

    private static Response get(String path, String key) {
        return RESOURCES.target(path).request().header(HttpHeaders.AUTHORIZATION, "Bearer " + key).get();
    }

    private static void assertError(Response response, int status, String code) {
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
    }
}
