package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.cli.KilnCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin CLI, run in-process, against kiln-api + a real kiln-host + Temporal + PostgreSQL + Docker. */
class KilnCliIT {
    private static final Pattern SUBMITTED = Pattern.compile("submitted build (bld-\\S+)");

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack();

    private static final DockerClient DOCKER = DockerClients.create("unix:///var/run/docker.sock");
    private static final List<String> IMAGES_TO_REMOVE = new ArrayList<>();
    private static HostProcess host;

    @TempDir
    Path directory;

    @BeforeAll
    static void registerAHost() throws Exception {
        host = HostProcess.registerAndStart(STACK);
    }

    @AfterAll
    static void stopHostAndRemoveImages() throws InterruptedException {
        if (host != null) {
            host.close();
        }
        DockerCommands.removeImages(DOCKER, IMAGES_TO_REMOVE);
    }

    /** One run of {@code kiln}: its exit status and what it printed. */
    private record Run(int status, String out, String err) {
        String buildId() {
            Matcher matcher = SUBMITTED.matcher(err);
            assertThat(matcher.find()).as("stderr names the build: %s", err).isTrue();
            return matcher.group(1);
        }
    }

    private static Run kiln(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        KilnCli cli = new KilnCli(Map.of("KILN_URL", "http://127.0.0.1:" + STACK.port(), "KILN_API_KEY", STACK.adminKey),
                false, 120, Clock.systemUTC());
        int status = cli.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
        return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
    }

    @Test
    void hostsListsTheRegisteredHostOnline() {
        Run hosts = kiln("hosts");

        assertThat(hosts.status()).as("%s", hosts).isZero();
        assertThat(hosts.out()).startsWith("ID").contains("LAST HEARTBEAT");
        assertThat(hosts.out().lines().filter(line -> line.startsWith(host.hostId())).findFirst())
                .hasValueSatisfying(line -> assertThat(line).contains("online").containsPattern("just now|\\d+s ago").contains("cpu"));
    }

    @Test
    void followingAThreeStepRecipeShowsEveryStepAndItsOutputAndExitsZero() throws Exception {
        Path recipe = directory.resolve("greeting.recipe");
        Files.writeString(recipe, """
                # three plain steps on the minimal (busybox) base
                RUN echo hello from kiln > /greeting

                RUN mkdir -p /opt/app && \\
                    cp /greeting /opt/app/copy
                RUN cat /opt/app/copy
                """);
        String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);

        Run build = kiln("build", "submit", recipe.toString(), "--name", name, "--skip-pre-post", "--follow");

        assertThat(build.status()).as("%s", build).isZero();
        assertThat(build.out()).as("step output on stdout").contains("hello from kiln\n");
        assertThat(build.err())
                .contains("step 1/3 ok", "RUN echo hello from kiln > /greeting")
                .contains("step 2/3 ok", "RUN mkdir -p /opt/app && cp /greeting /opt/app/copy")
                .contains("step 3/3 ok", "RUN cat /opt/app/copy")
                .contains("build " + build.buildId() + " succeeded: template tpl-");

        JsonNode recorded = STACK.client().get("/v1/admin/builds/" + build.buildId(), STACK.adminKey).body();
        assertThat(recorded.path("status").asText()).isEqualTo("success");
        IMAGES_TO_REMOVE.add("kiln/" + recorded.path("template_id").asText() + ":latest");

        Run get = kiln("build", "get", build.buildId());
        assertThat(get.status()).isZero();
        assertThat(get.out()).contains(name).contains("success").contains("RUN cat /opt/app/copy");
    }

    @Test
    void cancellingAFollowedBuildFromAnotherCommandEndsTheFollowWithANonZeroStatus() throws Exception {
        Path recipe = directory.resolve("sleepy.recipe");
        Files.writeString(recipe, "RUN sleep 300\n");
        String name = "cli-cancel-" + UUID.randomUUID().toString().substring(0, 8);

        CompletableFuture<Run> following = CompletableFuture.supplyAsync(
                () -> kiln("build", "submit", recipe.toString(), "--name", name, "--skip-pre-post", "--follow"));
        String buildId = awaitRunningStep(name);

        Run cancel = kiln("build", "cancel", buildId);
        assertThat(cancel.status()).as("%s", cancel).isZero();

        Run followed = following.get(3, TimeUnit.MINUTES);
        assertThat(followed.status()).as("%s", followed).isEqualTo(1);
        assertThat(followed.buildId()).isEqualTo(buildId);
        assertThat(followed.err()).contains("build " + buildId + " cancelled by ").contains("at step 1/1: RUN sleep 300");

        Run again = kiln("build", "cancel", buildId);
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("409 build_finished");
    }

    /** The build of that name once its step runs, so that the cancel stops a running command. */
    private static String awaitRunningStep(String name) throws InterruptedException {
        JsonNode build = Await.until(Duration.ofMinutes(2), () -> {
            for (JsonNode candidate : STACK.client().get("/v1/admin/builds", STACK.adminKey).body()) {
                if (candidate.path("name").asText().equals(name)) {
                    return STACK.client().get("/v1/admin/builds/" + candidate.path("id").asText(), STACK.adminKey).body();
                }
            }
            return null;
        }, found -> found != null && !found.path("steps").isEmpty(), "build " + name + " to run its step");
        return build.path("id").asText();
    }
}
