package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build ...} against the fake API: what it sends, what it prints and how it exits. */
class BuildCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final FakeKilnApi api = new FakeKilnApi();

    @TempDir
    Path directory;

    @Test
    void submitReadsTheRecipeFileAndPrintsTheBuildId() throws Exception {
        api.route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-1\",\"name\":\"site\",\"total_steps\":2}");
        Path recipe = directory.resolve("site.recipe");
        Files.writeString(recipe, "# comment\nRUN echo a\n\nRUN echo b\n");

        assertThat(api.run("build", "submit", recipe.toString(), "--healthcheck", "curl -f localhost", "--skip-pre-post",
                "--base", "debian")).isZero();

        assertThat(api.out()).isEqualTo("bld-1\n");
        assertThat(JSON.readTree(api.requestBodies.get("POST /v1/admin/builds"))).isEqualTo(JSON.readTree("""
                {"name":"site","base_template":"debian","recipe":["RUN echo a","RUN echo b"],
                 "healthcheck":"curl -f localhost","skip_pre_post":true}
                """));
        assertThat(api.err()).contains("submitted build bld-1 of template site (2 steps); follow it with: kiln build follow bld-1");
    }

    @Test
    void optionsComeInAnyOrderWithTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        api.route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-1\",\"name\":\"web\",\"total_steps\":1}");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "RUN true\n");

        assertThat(api.run("build", "submit", "--name", "web", recipe.toString(), "--vcpus=2", "--memory-mb", "1024",
                "--base=debian")).isZero();

        assertThat(JSON.readTree(api.requestBodies.get("POST /v1/admin/builds"))).isEqualTo(JSON.readTree("""
                {"name":"web","base_template":"debian","recipe":["RUN true"],"vcpus":2,"memory_mb":1024}
                """));
    }

    @Test
    void submitWithAnArchiveSendsTheConfigAndArchiveParts() throws Exception {
        api.route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-2\",\"name\":\"n\",\"total_steps\":1}");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "COPY . /app\n");
        Path archive = directory.resolve("ctx.tgz");
        Files.write(archive, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});

        assertThat(api.run("build", "submit", recipe.toString(), "--name", "n", "--archive", archive.toString())).isZero();

        String type = api.requestTypes.get("POST /v1/admin/builds");
        assertThat(type).startsWith("multipart/form-data; boundary=");
        String body = api.requestBodies.get("POST /v1/admin/builds");
        assertThat(body).contains("Content-Disposition: form-data; name=\"config\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"name\":\"n\",\"recipe\":[\"COPY . /app\"]}\r\n");
        assertThat(body).contains("Content-Disposition: form-data; name=\"archive\"; filename=\"ctx.tgz\"");
        assertThat(body).endsWith("--" + type.substring(type.indexOf('=') + 1) + "--\r\n");
    }

    @Test
    void submitAndFollowStreamsTheBuildAndExitsNonZeroWhenItFails() throws Exception {
        api.route("/v1/admin/builds", 202, "application/json", "{\"id\":\"bld-3\",\"name\":\"r\",\"total_steps\":1}");
        api.route("/v1/admin/builds/bld-3/events", 200, "text/event-stream", """
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
        api.route("/v1/admin/builds/bld-3", 200, "application/json", "{\"id\":\"bld-3\",\"status\":\"failed\"}");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "RUN false\n");

        assertThat(api.run("build", "submit", recipe.toString(), "--follow")).isEqualTo(1);

        assertThat(api.out()).isEqualTo("nope\n");
        assertThat(api.err()).contains("submitted build bld-3").contains("step 1/1 RUN false")
                .contains("build bld-3 failed at step 1/1: RUN false\n  exit code 1\n  recipe step 1 failed: nope");
    }

    @Test
    void aRecipeWithoutInstructionsAMissingArchiveOrANonPositiveCountIsRefusedBeforeAnythingIsSent() throws Exception {
        Path empty = directory.resolve("empty.recipe");
        Files.writeString(empty, "# nothing yet\n");
        Path recipe = directory.resolve("r.txt");
        Files.writeString(recipe, "RUN true\n");

        assertThat(api.run("build", "submit", empty.toString())).isEqualTo(2);
        assertThat(api.err()).contains("kiln: " + empty + " has no instructions").contains("usage: kiln build submit");
        assertThat(api.run("build", "submit", directory.resolve("absent.recipe").toString())).isEqualTo(2);
        assertThat(api.err()).contains("kiln: cannot read " + directory.resolve("absent.recipe"));
        assertThat(api.run("build", "submit", recipe.toString(), "--archive", directory.resolve("nope.tgz").toString()))
                .isEqualTo(2);
        assertThat(api.err()).contains("kiln: no such archive file: " + directory.resolve("nope.tgz"));
        assertThat(api.run("build", "submit", recipe.toString(), "--vcpus", "two")).isEqualTo(2);
        assertThat(api.err()).contains("kiln: invalid value for option '--vcpus': 'two' is not an int");
        assertThat(api.run("build", "submit", recipe.toString(), "--memory-mb", "0")).isEqualTo(2);
        assertThat(api.err()).contains("kiln: --memory-mb must be a positive number: 0");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void anApiErrorIsPrintedWithItsCodeAndExitsOne() {
        api.route("/v1/admin/builds/bld-4/cancel", 409, "application/json",
                "{\"error\":{\"code\":\"build_finished\",\"message\":\"build is already success\"}}");
        assertThat(api.run("build", "cancel", "bld-4")).isEqualTo(1);
        assertThat(api.err()).contains("kiln: 409 build_finished: build is already success");
    }

    @Test
    void cancelPrintsTheIdAndWhatTheBuildIsDoing() {
        api.route("/v1/admin/builds/bld-5/cancel", 202, "application/json", "{\"id\":\"bld-5\",\"status\":\"running\"}");

        assertThat(api.run("build", "cancel", "bld-5")).isZero();

        assertThat(api.requests).containsExactly("POST /v1/admin/builds/bld-5/cancel");
        assertThat(api.out()).isEqualTo("bld-5\n");
        assertThat(api.err()).contains("cancel of build bld-5 requested (it is running;");
    }

    @Test
    void getShowsTheBuildItsTimesAndATableOfItsSteps() {
        api.route("/v1/admin/builds/bld-6", 200, "application/json", """
                {"id":"bld-6","name":"site","base_template":"minimal","status":"failed","current_step":2,"total_steps":3,
                 "host_id":"host-a","created_at":"2025-01-01T11:00:00Z","started_at":"2025-01-01T11:00:01Z",
                 "completed_at":"2025-01-01T11:04:06Z","error":{"message":"recipe step 2 failed","step":2},
                 "added_by_a_newer_server":{"x":1},
                 "steps":[
                  {"step":1,"phase":"pre-build","command":"RUN apt-get update","exit_code":0,"ok":true,"elapsed_ms":850},
                  {"step":2,"phase":"recipe","command":"RUN make","exit_code":2,"ok":false,"elapsed_ms":12340},
                  {"step":3,"phase":"recipe","command":"RUN make install"}]}
                """);

        assertThat(api.run("build", "get", "bld-6")).isZero();

        assertThat(api.out()).isEqualTo("""
                build bld-6  site  failed  step 2/3
                  base minimal, host host-a, template -
                  created 2025-01-01T11:00:00Z, started 2025-01-01T11:00:01Z, completed 2025-01-01T11:04:06Z (4m 05s)
                  error at step 2: recipe step 2 failed

                STEP  RESULT   TIME    COMMAND
                1     ok       850 ms  RUN apt-get update [pre-build]
                2     exit 2   12.3 s  RUN make
                3     running  -       RUN make install
                """);
    }

    @Test
    void getWithJsonPrintsTheApisAnswerWithFieldsThisClientDoesNotKnow() {
        api.route("/v1/admin/builds/bld-7", 200, "application/json", "{\"id\":\"bld-7\",\"gpu_minutes\":3}");

        assertThat(api.run("build", "get", "bld-7", "--json")).isZero();

        assertThat(api.out()).contains("\"gpu_minutes\" : 3");
    }

    @Test
    void everythingAfterADoubleDashIsAnArgumentEvenIfItLooksLikeAnOption() {
        api.route("/v1/admin/builds/", 200, "application/json", "{\"id\":\"--follow\",\"status\":\"pending\"}");

        assertThat(api.run("build", "get", "--", "--follow")).as(api.err()).isZero();

        assertThat(api.requests).containsExactly("GET /v1/admin/builds/--follow");
    }

    @Test
    void listSendsTheStatusFilterAndShowsOneRowPerBuild() {
        api.route("/v1/admin/builds", 200, "application/json", """
                [{"id":"bld-8","name":"site","status":"running","current_step":1,"total_steps":4,
                  "created_at":"2025-01-01T11:57:00Z","steps":[],"queue":"fast"}]
                """);

        assertThat(api.run("build", "list", "--status", "running")).isZero();

        assertThat(api.requests).containsExactly("GET /v1/admin/builds?status=running");
        assertThat(api.out()).isEqualTo("""
                ID     NAME  STATUS   STEP  CREATED
                bld-8  site  running  1/4   3m ago
                """);
    }
}
