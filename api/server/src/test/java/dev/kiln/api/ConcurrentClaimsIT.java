package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.Ids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests that claim one new name at the same moment (#13.5): exactly one wins at submit, the rest are told 409 at
 * once instead of running to the end and failing at publish. No host is registered, so accepted builds stay pending
 * until the test cancels them.
 */
class ConcurrentClaimsIT {
    private static final int CLIENTS = 8;

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final ExecutorService CLIENT_THREADS = Executors.newFixedThreadPool(CLIENTS);
    private static final List<String> ACCEPTED_BUILDS = new ArrayList<>();

    @BeforeAll
    static void warmUp() {
        // The first request of a fresh server pays for class loading; without this, the first client would win
        // the race every time and the test would not race at all.
        STACK.client().get("/v1/admin/builds", STACK.adminKey);
    }

    @AfterAll
    static void cancelAcceptedBuilds() {
        CLIENT_THREADS.shutdownNow();
        for (String buildId : ACCEPTED_BUILDS) {
            STACK.client().post("/v1/admin/builds/" + buildId + "/cancel", STACK.adminKey, Map.of());
        }
    }

    @Test
    void ofEightSubmitsOfOneNewTemplateNameExactlyOneIsAcceptedAndItsEndFreesTheName() throws Exception {
        String name = "claimed-" + Ids.newId("x").substring(2, 10);
        Map<String, Object> build = Map.of("name", name, "skip_pre_post", true, "recipe", List.of("RUN true"));

        List<ApiTestClient.Reply> replies = all(() -> STACK.client().post("/v1/admin/builds", STACK.adminKey, build));

        List<ApiTestClient.Reply> accepted = replies.stream().filter(reply -> reply.status() == 202).toList();
        assertThat(accepted).as("%s", replies).hasSize(1);
        String winner = accepted.get(0).body().path("id").asText();
        ACCEPTED_BUILDS.add(winner);
        assertThat(replies).filteredOn(reply -> reply.status() != 202)
                .allSatisfy(reply -> {
                    assertThat(reply.status()).isEqualTo(409);
                    assertThat(reply.errorCode()).isEqualTo("template_name_taken");
                    assertThat(reply.body().path("error").path("message").asText()).contains("build " + winner);
                });

        assertThat(STACK.client().post("/v1/admin/builds/" + winner + "/cancel", STACK.adminKey, Map.of()).status())
                .isEqualTo(202);
        Await.until(Duration.ofSeconds(60),
                () -> STACK.client().get("/v1/admin/builds/" + winner, STACK.adminKey).body().path("status").asText(),
                "cancelled"::equals, "build " + winner + " to read cancelled");
        ApiTestClient.Reply again = STACK.client().post("/v1/admin/builds", STACK.adminKey, build);
        assertThat(again.status()).as("a cancelled build releases its name: %s", again.body()).isEqualTo(202);
        ACCEPTED_BUILDS.add(again.body().path("id").asText());
    }

    @Test
    void twoTeamsPuttingOneNewProjectIdAtOnceLeaveItToOneTeamAndTheOtherIsRefused() throws Exception {
        String first = teamKey("first");
        String second = teamKey("second");
        String projectId = "prj-" + Ids.newId("x").substring(2, 12);

        List<String> keys = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            keys.add(client % 2 == 0 ? first : second);
        }
        List<ApiTestClient.Reply> replies = race(keys.stream().<Callable<ApiTestClient.Reply>>map(key -> () ->
                STACK.client().put("/v1/projects/" + projectId, key, Map.of("name", "web", "warmup_script", "true")))
                .toList());

        int firstAccepted = replies.indexOf(replies.stream().filter(reply -> reply.status() == 200).findFirst()
                .orElseThrow(() -> new AssertionError("no team got the project: " + replies)));
        String owner = keys.get(firstAccepted);
        for (int client = 0; client < CLIENTS; client++) {
            ApiTestClient.Reply reply = replies.get(client);
            if (keys.get(client).equals(owner)) {
                assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
            } else {
                assertThat(reply.status()).as("%s", reply.body()).isEqualTo(409);
                assertThat(reply.errorCode()).isEqualTo("project_id_taken");
            }
        }
    }

    private static String teamKey(String name) {
        ApiTestClient api = STACK.client();
        String teamId = api.post("/v1/admin/teams", STACK.adminKey, Map.of("name", name)).body().path("id").asText();
        return api.post("/v1/admin/teams/" + teamId + "/api-keys", STACK.adminKey, Map.of("name", "ci"))
                .body().path("key").asText();
    }

    private static List<ApiTestClient.Reply> all(Callable<ApiTestClient.Reply> call) throws Exception {
        List<Callable<ApiTestClient.Reply>> calls = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            calls.add(call);
        }
        return race(calls);
    }

    /** Starts every call at the same instant, so the requests overlap on the server. */
    private static List<ApiTestClient.Reply> race(List<Callable<ApiTestClient.Reply>> calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApiTestClient.Reply>> futures = new ArrayList<>();
        for (Callable<ApiTestClient.Reply> call : calls) {
            futures.add(CLIENT_THREADS.submit(() -> {
                start.await();
                return call.call();
            }));
        }
        start.countDown();
        List<ApiTestClient.Reply> replies = new ArrayList<>();
        for (Future<ApiTestClient.Reply> future : futures) {
            replies.add(future.get(60, TimeUnit.SECONDS));
        }
        return replies;
    }
}
