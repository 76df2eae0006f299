package dev.kiln.api.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.workflows.sandbox.StepProgress;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build's events as {@code text/event-stream}, by polling: PostgreSQL for status and steps, Temporal for the
 * running step's heartbeat. Polling keeps the stream independent of which kiln-api replica the workflow's
 * activities write through, at the cost of up to one poll interval of latency.
 */
public final class BuildEventStream {
    private static final Logger LOG = LoggerFactory.getLogger(BuildEventStream.class);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(UTF_8);

    private final Jdbi jdbi;
    private final StepHeartbeats heartbeats;
    private final ObjectMapper json;
    private final Duration pollInterval;
    private final Duration keepAliveInterval;
    private final Clock clock;
    private volatile boolean closed;

    /**
     * @param keepAliveInterval an idle stream gets a comment this often, so that proxies do not time it out and a
     *     client that went away is noticed (the write fails)
     */
    public BuildEventStream(
            Jdbi jdbi, StepHeartbeats heartbeats, ObjectMapper json, Duration pollInterval, Duration keepAliveInterval,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.heartbeats = requireNonNull(heartbeats, "heartbeats is null");
        this.json = requireNonNull(json, "json is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.keepAliveInterval = requireNonNull(keepAliveInterval, "keepAliveInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Ends every open stream at its next poll. Called as the server starts to stop: a stream would otherwise hold the
     * graceful shutdown until its build ends, and a client reconnects to another replica anyway.
     */
    public void close() {
        closed = true;
    }

    /**
     * Streams until the build's terminal status has been sent, the build is deleted, the client goes away or this
     * is closed.
     */
    public StreamingOutput of(String buildId) {
        requireNonNull(buildId, "buildId is null");
        return output -> stream(buildId, output);
    }

    private void stream(String buildId, OutputStream output) {
        BuildEventTracker tracker = new BuildEventTracker();
        long lastWrite = clock.millis();
        try {
            while (!closed) {
                BuildDao builds = jdbi.onDemand(BuildDao.class);
                // The row before its steps: a terminal status read first guarantees the steps read after are final.
                Optional<BuildRow> build = builds.findById(buildId);
                if (build.isEmpty()) {
                    return;
                }
                List<BuildStepRow> steps = builds.findSteps(buildId);
                Optional<StepProgress> heartbeat = BuildEventTracker.runningStep(build.get(), steps).isPresent()
                        ? heartbeats.latest(buildId) : Optional.empty();
                List<BuildEventTracker.Event> events = tracker.next(build.get(), steps, heartbeat);
                for (BuildEventTracker.Event event : events) {
                    output.write(("event: " + event.name() + "\ndata: " + json.writeValueAsString(event.data()) + "\n\n")
                            .getBytes(UTF_8));
                }
                if (!events.isEmpty()) {
                    output.flush();
                    lastWrite = clock.millis();
                }
                if (tracker.finished()) {
                    return;
                }
                if (clock.millis() - lastWrite >= keepAliveInterval.toMillis()) {
                    output.write(KEEP_ALIVE);
                    output.flush();
                    lastWrite = clock.millis();
                }
                Thread.sleep(pollInterval.toMillis());
            }
        } catch (IOException e) {
            LOG.debug("event stream of build {} ended: {}", buildId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
