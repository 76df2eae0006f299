package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SessionCommandsTest {
    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @Test
    void sessionStartFollowsTheCopyUntilTheSessionRuns() {
        api.route("/v1/projects/web/sessions", 202, "application/json",
                "{\"id\":\"ses-1\",\"status\":\"starting\",\"host_id\":\"host-a\",\"copied_bytes\":0,\"total_bytes\":0,"
                        + "\"status_message\":\"Starting session\"}");
        AtomicInteger polls = new AtomicInteger();
        api.route("/v1/sessions/ses-1", exchange -> api.answer(exchange, 200, "application/json",
                polls.incrementAndGet() == 1
                        ? "{\"id\":\"ses-1\",\"status\":\"starting\",\"host_id\":\"host-a\",\"copied_bytes\":2100000000,"
                                + "\"total_bytes\":7000000000,\"status_message\":\"Unpacking build cache (2.1/7.0 GB)\"}"
                        : "{\"id\":\"ses-1\",\"status\":\"running\",\"host_id\":\"host-a\",\"copied_bytes\":7000000000,"
                                + "\"total_bytes\":7000000000,\"status_message\":\"\",\"generation\":3,"
                                + "\"docker_host\":\"tcp://10.0.0.5:2375\"}"));

        assertThat(api.run("session", "start", "web", "--host", "host-a", "--follow")).isZero();

        assertThat(api.requestBodies.get("POST /v1/projects/web/sessions")).isEqualTo("{\"host_id\":\"host-a\"}");
        assertThat(api.out()).isEqualTo("ses-1\n");
        assertThat(api.err()).contains("[--------------------] Starting session")
                .contains("[######--------------] 30% Unpacking build cache (2.1/7.0 GB)")
                .contains("session ses-1 is running on host-a from golden generation 3\n  DOCKER_HOST=tcp://10.0.0.5:2375");
    }

    @Test
    void withoutAHostTheApiChoosesAndWithoutFollowTheIdIsPrintedAtOnce() {
        api.route("/v1/projects/web/sessions", 202, "application/json",
                "{\"id\":\"ses-2\",\"status\":\"starting\",\"host_id\":\"host-b\"}");

        assertThat(api.run("session", "start", "web")).isZero();

        assertThat(api.requestBodies.get("POST /v1/projects/web/sessions")).isEqualTo("{}");
        assertThat(api.out()).isEqualTo("ses-2\n");
        assertThat(api.err()).isEqualTo("session ses-2 of web is starting on host-b\n");
    }

    @Test
    void aSessionThatFailsToStartExitsOneWithItsError() {
        api.route("/v1/projects/web/sessions", 202, "application/json",
                "{\"id\":\"ses-3\",\"status\":\"failed\",\"host_id\":\"host-a\",\"error\":\"no space left on device\"}");

        assertThat(api.run("session", "start", "web", "--follow")).isEqualTo(1);

        assertThat(api.err()).contains("session ses-3 failed: no space left on device");
    }
}
