package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.wire.BuildView;
import dev.kiln.cli.wire.WireJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class BuildFollowerTest {
    private static final ObjectMapper JSON = WireJson.mapper();

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(stdout, true, UTF_8);
    private final PrintStream err = new PrintStream(stderr, true, UTF_8);

    private BuildFollower follower(boolean terminal) {
        return new BuildFollower("bld-1", 3, JSON, out, new StatusLine(err, terminal, 120));
    }

    private static SseEvent event(String name, String data) {
        return new SseEvent(name, data);
    }

    @Test
    void successfulBuildPrintsEachStepsOutputOnStdoutAndOneLinePerStepOnStderr() {
        BuildFollower follower = follower(false);
        assertThat(follower.accept(event("status", "{\"status\":\"running\",\"current_step\":0,\"total_steps\":3}"))).isTrue();
        for (int step = 1; step <= 3; step++) {
            follower.accept(event("step-start", "{\"step\":" + step + ",\"phase\":\"recipe\",\"command\":\"RUN echo " + step + "\"}"));
            follower.accept(event("step-end", "{\"step\":" + step + ",\"phase\":\"recipe\",\"command\":\"RUN echo " + step
                    + "\",\"stdout\":\"" + step + "\\n\",\"stderr\":\"\",\"exit_code\":0,\"ok\":true,\"elapsed_ms\":120}"));
        }
        boolean more = follower.accept(event("status",
                "{\"status\":\"success\",\"current_step\":3,\"total_steps\":3,\"template_id\":\"tpl-9\"}"));

        assertThat(more).as("nothing follows the terminal status").isFalse();
        assertThat(follower.terminalStatus()).contains("success");
        assertThat(follower.finish(null)).isZero();
        assertThat(stdout.toString(UTF_8)).isEqualTo("1\n2\n3\n");
        assertThat(stderr.toString(UTF_8))
                .contains("[----------] running")
                .contains("[###-------] step 2/3 RUN echo 2")
                .contains("step 1/3 ok in 120 ms: RUN echo 1")
                .contains("step 3/3 ok in 120 ms: RUN echo 3")
                .contains("build bld-1 succeeded: template tpl-9 (3 steps)")
                .doesNotContain("\r");
    }

    @Test
    void failedBuildNamesTheStepItsCommandExitCodeAndStderrTail() {
        BuildFollower follower = follower(false);
        follower.accept(event("step-start", "{\"step\":2,\"phase\":\"recipe\",\"command\":\"RUN make\"}"));
        follower.accept(event("step-end", "{\"step\":2,\"phase\":\"recipe\",\"command\":\"RUN make\",\"stdout\":\"\","
                + "\"stderr\":\"warning\\ndisk on fire\\n\",\"exit_code\":3,\"ok\":false,\"elapsed_ms\":5}"));
        follower.accept(event("status", "{\"status\":\"failed\",\"current_step\":2,\"total_steps\":3,"
                + "\"error\":{\"message\":\"recipe step 2 failed: disk on fire\",\"step\":2}}"));

        assertThat(follower.finish(null)).isEqualTo(1);
        assertThat(stderr.toString(UTF_8))
                .contains("step 2/3 FAILED (exit 3) in 5 ms: RUN make")
                .contains("build bld-1 failed at step 2/3: RUN make\n  exit code 3\n  recipe step 2 failed: disk on fire\n"
                        + "  stderr (last lines):\n    warning\n    disk on fire");
        assertThat(stdout.toString(UTF_8)).isEqualTo("warning\ndisk on fire\n");
    }

    @Test
    void failureOutsideAStepReportsTheMessageAlone() {
        BuildFollower follower = follower(false);
        follower.accept(event("status", "{\"status\":\"failed\",\"current_step\":3,\"total_steps\":3,"
                + "\"error\":{\"message\":\"healthcheck failed after 3 tries\"}}"));
        assertThat(follower.finish(null)).isEqualTo(1);
        assertThat(stderr.toString(UTF_8)).contains("build bld-1 failed: healthcheck failed after 3 tries");
    }

    @Test
    void cancelledBuildSaysWhoCancelledItAndWhere() {
        BuildFollower follower = follower(false);
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN sleep 300\"}"));
        follower.accept(event("status", "{\"status\":\"cancelled\",\"current_step\":1,\"total_steps\":1,\"cancelled_by\":\"key-7\"}"));
        assertThat(follower.finish(null)).isEqualTo(1);
        assertThat(stderr.toString(UTF_8)).contains("build bld-1 cancelled by key-7 at step 1/3: RUN sleep 300");
    }

    @Test
    void logEventsPrintWholeLinesAndTheStepEndAddsOnlyWhatTheyMissed() {
        BuildFollower follower = follower(false);
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN build\"}"));
        follower.accept(event("log", "{\"step\":1,\"stream\":\"stdout\",\"text\":\"compiling\\nlink\"}"));
        assertThat(stdout.toString(UTF_8)).as("half a line waits").isEqualTo("compiling\n");
        follower.accept(event("log", "{\"step\":1,\"stream\":\"stdout\",\"text\":\"ing\\n\"}"));
        follower.accept(event("step-end", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN build\","
                + "\"stdout\":\"compiling\\nlinking\\ndone\",\"stderr\":\"\",\"exit_code\":0,\"ok\":true,\"elapsed_ms\":9}"));
        assertThat(stdout.toString(UTF_8)).isEqualTo("compiling\nlinking\ndone\n");
    }

    @Test
    void replayedHistoryAfterAReconnectIsNotPrintedTwice() {
        BuildFollower follower = follower(false);
        String end = "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN a\",\"stdout\":\"a\\n\",\"stderr\":\"\","
                + "\"exit_code\":0,\"ok\":true,\"elapsed_ms\":3}";
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN a\"}"));
        follower.accept(event("step-end", end));
        follower.accept(event("step-start", "{\"step\":2,\"phase\":\"recipe\",\"command\":\"RUN b\"}"));
        follower.accept(event("log", "{\"step\":2,\"stream\":\"stdout\",\"text\":\"b1\\n\"}"));

        follower.reconnected();
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN a\"}"));
        follower.accept(event("step-end", end));
        follower.accept(event("step-start", "{\"step\":2,\"phase\":\"recipe\",\"command\":\"RUN b\"}"));
        follower.accept(event("log", "{\"step\":2,\"stream\":\"stdout\",\"text\":\"b1\\nb2\\n\"}"));

        assertThat(stdout.toString(UTF_8)).isEqualTo("a\nb1\nb2\n");
        assertThat(stderr.toString(UTF_8)).containsOnlyOnce("step 1/3 ok");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndClearedAroundOutput() {
        BuildFollower follower = follower(true);
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"pre-build\",\"command\":\"RUN apt-get update\"}"));
        follower.accept(event("progress", "{\"step\":1,\"elapsed_ms\":1500,\"output_bytes\":2048}"));
        follower.accept(event("log", "{\"step\":1,\"stream\":\"stdout\",\"text\":\"Hit:1 deb\\n\"}"));

        String drawn = stderr.toString(UTF_8);
        assertThat(drawn).contains("\r\033[K[----------] step 1/3 RUN apt-get update [pre-build]")
                .contains("\r\033[K[----------] step 1/3 RUN apt-get update [pre-build] (1.5 s, 2.0 kB output)");
        assertThat(drawn).endsWith("\r\033[K[----------] step 1/3 RUN apt-get update [pre-build] (1.5 s, 2.0 kB output)");
        assertThat(stdout.toString(UTF_8)).isEqualTo("Hit:1 deb\n");
    }

    @Test
    void aStreamThatEndsEarlyIsReportedFromTheBuildAsFetched() throws Exception {
        BuildFollower follower = follower(false);
        follower.accept(event("step-start", "{\"step\":1,\"phase\":\"recipe\",\"command\":\"RUN a\"}"));
        assertThat(follower.terminalStatus()).isEmpty();
        int status = follower.finish(JSON.readValue("{\"status\":\"failed\",\"error\":{\"message\":\"boom\",\"step\":1},"
                + "\"steps\":[{\"step\":1,\"command\":\"RUN a\",\"stderr\":\"bad\\n\",\"exit_code\":1,\"ok\":false}]}",
                BuildView.class));
        assertThat(status).isEqualTo(1);
        assertThat(stderr.toString(UTF_8)).contains("failed at step 1/3: RUN a\n  exit code 1\n  boom\n  stderr (last lines):\n    bad");
    }
}
