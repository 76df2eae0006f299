package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The host-credential rules of issue #8 that a misbehaving or stolen client would probe. */
class HostSecurityIT {
    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final Map<String, Object> FACTS = Map.of("arch", "amd64", "cpu_cores", 2, "memory_mb", 4096, "disk_gb", 20);

    @Test
    void expiredRegistrationTokenIsUnauthorized() {
        String token = newRegistrationToken();
        STACK.database().jdbi().useHandle(handle -> handle.execute(
                "UPDATE host_registration_tokens SET expires_at = ?", Instant.now().minusSeconds(1)));

        ApiTestClient.Reply reply = STACK.client().post("/v1/hosts/register", null, withToken(token));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errorCode()).isEqualTo("unauthorized");
    }

    @Test
    void refreshRotatesAndTheOldRefreshTokenCannotBeReused() {
        ApiTestClient.Reply registered = STACK.client().post("/v1/hosts/register", null, withToken(newRegistrationToken()));
        String original = registered.body().path("refresh_token").asText();

        ApiTestClient.Reply refreshed = STACK.client().post("/v1/hosts/auth/refresh", null, Map.of("refresh_token", original));
        assertThat(refreshed.status()).isEqualTo(200);
        String rotated = refreshed.body().path("refresh_token").asText();
        assertThat(rotated).isNotEqualTo(original);
        String hostId = registered.body().path("host").path("id").asText();
        assertThat(STACK.client().postRaw("/v1/hosts/" + hostId + "/heartbeat", null, "{}",
                Map.of("X-Host-Token", refreshed.body().path("token").asText())).status()).isEqualTo(200);

        ApiTestClient.Reply reused = STACK.client().post("/v1/hosts/auth/refresh", null, Map.of("refresh_token", original));
        assertThat(reused.status()).isEqualTo(401);
        assertThat(STACK.client().post("/v1/hosts/auth/refresh", null, Map.of("refresh_token", rotated)).status())
                .isEqualTo(200);
    }

    @Test
    void onlyMembersOfAByocTeamCreateItsHosts() {
        ApiTestClient api = STACK.client();
        String byocTeam = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "byoc", "byoc", true)).body()
                .path("id").asText();
        String otherTeam = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", "other")).body().path("id").asText();
        String memberKey = key(byocTeam);
        String outsiderKey = key(otherTeam);

        ApiTestClient.Reply outsider = api.post("/v1/hosts", outsiderKey, Map.of("type", "byoc", "team_id", byocTeam));
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsider.errorCode()).isEqualTo("forbidden");
        ApiTestClient.Reply member = api.post("/v1/hosts", memberKey, Map.of("type", "byoc", "team_id", byocTeam));
        assertThat(member.status()).isEqualTo(201);
        assertThat(member.body().path("host").path("team_id").asText()).isEqualTo(byocTeam);
        assertThat(api.post("/v1/hosts", outsiderKey, Map.of("type", "byoc", "team_id", otherTeam)).status())
                .as("a team that is not BYOC").isEqualTo(403);
        String hostId = member.body().path("host").path("id").asText();
        assertThat(api.get("/v1/hosts/" + hostId, outsiderKey).status()).as("invisible to other teams").isEqualTo(404);
        assertThat(api.post("/v1/hosts/" + hostId + "/drain", outsiderKey, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aNewRegistrationTokenOnlyWhilePending() {
        ApiTestClient api = STACK.client();
        String hostId = api.post("/v1/hosts", STACK.adminKey, Map.of("type", "regular")).body().path("host").path("id").asText();

        ApiTestClient.Reply fresh = api.post("/v1/hosts/" + hostId + "/token", STACK.adminKey, Map.of());
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(api.post("/v1/hosts/register", null, withToken(fresh.body().path("registration_token").asText())).status())
                .isEqualTo(201);

        ApiTestClient.Reply late = api.post("/v1/hosts/" + hostId + "/token", STACK.adminKey, Map.of());
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.errorCode()).isEqualTo("invalid_state");
    }

    private static String newRegistrationToken() {
        return STACK.client().post("/v1/hosts", STACK.adminKey, Map.of("type", "regular")).body()
                .path("registration_token").asText();
    }

    private static Map<String, Object> withToken(String token) {
        Map<String, Object> body = new HashMap<>(FACTS);
        body.put("token", token);
        return body;
    }

    private static String key(String teamId) {
        return STACK.client().post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "k")).body()
                .path("key").asText();
    }
}
