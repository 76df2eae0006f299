package dev.kiln.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat loop's idea of being cut off, against a real HTTP peer on loopback that answers, refuses, or drops
 * the connection without a word (what a kiln-api that went away looks like to the host).
 */
class HeartbeaterTest {
    /** TOKEN_EXPIRED refuses beats with 401 and drops the refresh that follows, as a kiln-api going away mid-way. */
    private enum Peer { ANSWERS, REFUSES, DROPS, TOKEN_EXPIRED }

    @TempDir
    Path stateDir;

    private volatile Peer peer = Peer.ANSWERS;
    private volatile long nextHeartbeatMs = 2000;
    private volatile Map<String, Object> load = Map.of("running_sandboxes", 1, "cpu_pct", 10.0);
    /** Stands for the engine answering the load's calls: each read waits for it. */
    private volatile CountDownLatch engine = new CountDownLatch(0);
    private final AtomicInteger loadReads = new AtomicInteger();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger isolations = new AtomicInteger();
    private HttpServer server;
    private Heartbeater heartbeater;

    @BeforeEach
    void startPeer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        ApiClient api = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), new ObjectMapper());
        heartbeater = new Heartbeater(api, new CredentialsStore(stateDir, new ObjectMapper()),
                new HostCredentials("host-1", "jwt", "refresh"), this::readLoad, Duration.ofSeconds(30),
                Clock.systemUTC(), () -> {}, isolations::incrementAndGet);
    }

    @AfterEach
    void stopPeer() {
        engine.countDown();
        heartbeater.stop();
        server.stop(0);
    }

    private Map<String, Object> readLoad() {
        loadReads.incrementAndGet();
        try {
            engine.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (load == null) {
            throw new IllegalStateException("Cannot connect to the Docker daemon");
        }
        return load;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            switch (peer) {
                case ANSWERS -> {
                    queries.add(String.valueOf(exchange.getRequestURI().getQuery()));
                    bodies.add(body);
                    byte[] reply = ("{\"next_heartbeat_ms\":" + nextHeartbeatMs + "}").getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, reply.length);
                    exchange.getResponseBody().write(reply);
                }
                case REFUSES -> {
                    byte[] refusal = "{\"error\":{\"code\":\"temporal_unavailable\"}}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(503, refusal.length);
                    exchange.getResponseBody().write(refusal);
                }
                case TOKEN_EXPIRED -> {
                    if (!exchange.getRequestURI().getPath().endsWith("/refresh")) {
                        exchange.sendResponseHeaders(401, -1);
                    }
                }
                // Closing the exchange before any header is sent drops the connection: the client sees an IOException.
                case DROPS -> { }
            }
        }
    }

    @Test
    void theThirdFailedBeatFreezesTheSandboxesAndSaysSoOnTheFirstBeatThatGetsThrough() throws Exception {
        peer = Peer.DROPS;
        heartbeater.beat();
        heartbeater.beat();
        assertThat(isolations).as("two failed beats are not an outage yet").hasValue(0);
        heartbeater.beat();
        assertThat(isolations).hasValue(1);

        peer = Peer.ANSWERS;
        heartbeater.beat();
        heartbeater.beat();

        assertThat(queries).containsExactly("paused_sandboxes=true", "null");
    }

    /**
     * The cause of a flaky KilnApiRestartIT (#13.1): two outages with no heartbeat through in between made one streak,
     * the host froze its sandboxes only when the count hit exactly three, and a sandbox started in the gap kept running.
     */
    @Test
    void everyFailedBeatPastTheThresholdFreezesAgainSoASandboxStartedInTheGapIsFrozenToo() throws Exception {
        peer = Peer.DROPS;
        for (int beat = 0; beat < 6; beat++) {
            heartbeater.beat();
        }

        assertThat(isolations).hasValue(4);
    }

    @Test
    void anyAnswerFromKilnApiEndsTheStreakOfFailures() throws Exception {
        peer = Peer.DROPS;
        heartbeater.beat();
        heartbeater.beat();
        peer = Peer.REFUSES;
        heartbeater.beat();
        peer = Peer.DROPS;
        heartbeater.beat();
        heartbeater.beat();
        assertThat(isolations).as("kiln-api answered in between, so the host was never cut off for three beats")
                .hasValue(0);

        heartbeater.beat();
        assertThat(isolations).hasValue(1);
    }

    @Test
    void theNextBeatComesAtThePaceTheReplySetWithinSaneBounds() throws Exception {
        nextHeartbeatMs = 45_000;
        heartbeater.beat();
        assertThat(heartbeater.interval()).isEqualTo(Duration.ofSeconds(45));

        nextHeartbeatMs = 0;
        heartbeater.beat();
        assertThat(heartbeater.interval()).isEqualTo(Heartbeater.SHORTEST_INTERVAL);

        nextHeartbeatMs = Duration.ofDays(1).toMillis();
        heartbeater.beat();
        assertThat(heartbeater.interval()).isEqualTo(Heartbeater.LONGEST_INTERVAL);
    }

    @Test
    void theLoadTravelsOnlyWhenItChangedEnough() throws Exception {
        heartbeater.beat();
        load = Map.of("running_sandboxes", 1, "cpu_pct", 14.0);
        heartbeater.beat();
        load = Map.of("running_sandboxes", 2, "cpu_pct", 14.0);
        heartbeater.beat();

        ObjectMapper json = new ObjectMapper();
        List<Map<?, ?>> sent = new ArrayList<>();
        for (String body : bodies) {
            sent.add(json.readValue(body, Map.class));
        }
        assertThat(sent).containsExactly(Map.of("running_sandboxes", 1, "cpu_pct", 10.0), Map.of(),
                Map.of("running_sandboxes", 2, "cpu_pct", 14.0));
    }

    @Test
    void aChangeTheEngineReportedIsSentWithinASecondAndOnlyOnce() throws Exception {
        peer = Peer.ANSWERS;
        heartbeater.start();
        try {
            awaitBeats(1);
            heartbeater.sandboxesChanged();
            awaitBeats(2);
        } finally {
            heartbeater.stop();
        }

        assertThat(queries).containsExactly("null", "sandboxes_changed=true");
    }

    @Test
    void aChangeThatCouldNotBeToldIsToldByTheNextBeatThatGetsThrough() throws Exception {
        peer = Peer.DROPS;
        heartbeater.sandboxesChanged();
        heartbeater.beat();
        peer = Peer.ANSWERS;
        heartbeater.beat();
        heartbeater.beat();

        assertThat(queries).containsExactly("sandboxes_changed=true", "null");
    }

    /**
     * CI hung on this: an engine stuck mid-flatten never answered the load's container list, the beat waited on it,
     * and kiln-api declared the host lost 90 s later while its sandboxes ran on.
     */
    @Test
    void anEngineThatDoesNotAnswerDelaysNoBeatTheLeaseIsRenewedWithoutTheLoad() throws Exception {
        engine = new CountDownLatch(1);
        long started = System.nanoTime();
        heartbeater.beat();
        heartbeater.beat();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(bodies).containsExactly("{}", "{}");
        assertThat(took).isLessThan(Heartbeater.LOAD_WAIT.multipliedBy(2).plusSeconds(2));
        assertThat(loadReads).as("the stuck read is waited on again, not piled on").hasValue(1);

        engine.countDown();
        heartbeater.beat();
        assertThat(bodies.get(2)).contains("running_sandboxes");
    }

    @Test
    void aLoadTheEngineFailsToGiveStillRenewsTheLease() throws Exception {
        load = null;
        heartbeater.beat();

        assertThat(bodies).containsExactly("{}");
        assertThat(isolations).hasValue(0);
    }

    /** A refresh that never arrived left the refresh token valid: giving up there silenced a healthy host for good. */
    @Test
    void aRefreshThatCouldNotReachKilnApiIsRetriedAndTheBeatsGoOn() throws Exception {
        peer = Peer.TOKEN_EXPIRED;
        heartbeater.beat();
        assertThat(isolations).hasValue(0);

        peer = Peer.ANSWERS;
        heartbeater.sandboxesChanged();
        awaitBeats(1);
        assertThat(queries).containsExactly("sandboxes_changed=true");
    }

    /** The configured 30 s interval would put a second beat far beyond this wait; only the change can bring it. */
    private void awaitBeats(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (queries.size() < count) {
            assertThat(System.nanoTime()).as("beat %d within 5 s", count).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
