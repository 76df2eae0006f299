package dev.kiln.api.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.Ids;
import dev.kiln.db.TestDatabase;
import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.sandbox.StepProgress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BuildEventStreamIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final BuildDao builds = db.jdbi().onDemand(BuildDao.class);
    private final BuildEventStream events = new BuildEventStream(db.jdbi(),
            buildId -> Optional.of(new StepProgress(1500, 12)), JSON,
            Duration.ofMillis(20), Duration.ofMillis(200), Clock.systemUTC());

    @Test
    void streamsStepsAndProgressAndEndsAfterTheTerminalStatus() throws Exception {
        String buildId = insertBuild();
        builds.markPlaced(buildId, "host-1", Instant.now());
        builds.startStep(buildId, 1, "recipe", "RUN make", Instant.now());
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> write(buildId, output));
        awaitOutput(output, "event: progress");
        builds.completeStep(buildId, 1, "built\n", "", 0, true, 1500, Instant.now());
        builds.markFailed(buildId, "recipe step 2 failed: boom", 2, Instant.now());
        streaming.get(10, TimeUnit.SECONDS);

        String text = output.toString(UTF_8);
        assertThat(eventNames(text)).containsExactly("status", "step-start", "progress", "step-end", "status");
        assertThat(text).contains("data: {\"step\":1,\"elapsed_ms\":1500,\"output_bytes\":12}\n\n");
        assertThat(text).contains("data: {\"status\":\"failed\",\"current_step\":1,\"completed_steps\":1,\"total_steps\":2,"
                + "\"error\":{\"message\":\"recipe step 2 failed: boom\",\"step\":2}}\n\n");
    }

    @Test
    void anIdleStreamGetsKeepAlives() throws Exception {
        String buildId = insertBuild();
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> write(buildId, output));
        awaitOutput(output, ": keep-alive\n\n");
        builds.markCancelled(buildId, "key-1", Instant.now());
        streaming.get(10, TimeUnit.SECONDS);

        String text = output.toString(UTF_8);
        assertThat(text).startsWith("event: status\ndata: {\"status\":\"pending\"").contains(": keep-alive\n\n");
        assertThat(eventNames(text)).containsExactly("status", "status");
        assertThat(text).endsWith("\"cancelled_by\":\"key-1\"}\n\n");
    }

    @Test
    void aClientThatWentAwayEndsTheStream() throws Exception {
        String buildId = insertBuild();
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };

        CompletableFuture.runAsync(() -> write(buildId, gone)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void closingEndsOpenStreams() throws Exception {
        String buildId = insertBuild();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> write(buildId, output));
        awaitOutput(output, "event: status");

        events.close();

        streaming.get(10, TimeUnit.SECONDS);
    }

    private static void awaitOutput(ByteArrayOutputStream output, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output.toString(UTF_8).contains(text)) {
            assertThat(System.nanoTime()).as("%s to appear in %s", text, output).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void write(String buildId, OutputStream output) {
        try {
            events.of(buildId).write(output);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String insertBuild() {
        BuildRow build = new BuildRow(Ids.newId("bld"), Ids.PLATFORM_TEAM_ID, "py", "minimal", "kiln/minimal:latest",
                List.of("RUN make", "RUN false"), null, 1, 512, false, BuildStatus.PENDING, 0, 0, 2, null, null, null,
                null, null,
                null, "key-1", null, null, null, null, null);
        builds.insert(build);
        return build.id();
    }

    private static List<String> eventNames(String text) {
        return text.lines().filter(line -> line.startsWith("event: ")).map(line -> line.substring(7)).toList();
    }
}
