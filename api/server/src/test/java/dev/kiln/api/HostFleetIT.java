package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.db.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fleet on one machine: three kiln-host processes, each driving a Docker daemon of its own (see
 * {@link HostDaemon}), behind one kiln-api. Placement, draining and the loss of a whole host are seen across
 * hosts that really are separate down to the engine: a template image exists only on the daemon that built it.
 * The last test kills a host for good, so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostFleetIT {
    /** Short so the test sees an outage quickly; the monitor's logic does not depend on the length. */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(8);
    private static final int FLEET_SIZE = 3;
    /** Long enough that all the builds of a test run at once, so placement sees the load of the earlier ones. */
    private static final List<String> OVERLAPPING_RECIPE = List.of("RUN sleep 8");
    /** For builds whose placement does not depend on what else runs. */
    private static final List<String> QUICK_RECIPE = List.of("RUN true");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(2);

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack(Map.of("liveness.timeout", "8s"));

    private static final List<HostDaemon> DAEMONS = new ArrayList<>();
    private static final List<HostProcess> HOSTS = new ArrayList<>();
    /** Host id to the daemon its kiln-host drives. */
    private static final Map<String, HostDaemon> DAEMON_OF = new LinkedHashMap<>();
    /** The kiln-hosts are children of this JVM but outlive it unless stopped: a run cut short stops them here. */
    private static final Thread STOP_HOSTS = new Thread(HostFleetIT::stopHosts, "kiln-fleet-hosts");

    @BeforeAll
    static void startFleet() throws Exception {
        HostDaemon.sweepAbandoned();
        Runtime.getRuntime().addShutdownHook(STOP_HOSTS);
        // Started side by side, then awaited: each dockerd and each kiln-host JVM takes seconds to come up.
        for (int index = 1; index <= FLEET_SIZE; index++) {
            DAEMONS.add(HostDaemon.start(index));
        }
        for (HostDaemon daemon : DAEMONS) {
            daemon.awaitReady();
        }
        assertMachineEngineUntouched();
        for (HostDaemon daemon : DAEMONS) {
            HostProcess host = HostProcess.launch(STACK, daemon.dockerHost());
            HOSTS.add(host);
            DAEMON_OF.put(host.hostId(), daemon);
        }
        for (HostProcess host : HOSTS) {
            host.awaitStarted(STACK);
        }
        for (HostDaemon daemon : DAEMONS) {
            assertThat(daemon.hasImage("kiln/minimal:latest"))
                    .as("kiln-host made its base image on its own, empty daemon").isTrue();
        }
    }

    @AfterAll
    static void stopFleet() throws Exception {
        List<String> problems = new ArrayList<>();
        stopHosts();
        for (HostDaemon daemon : DAEMONS) {
            try {
                daemon.close();
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(STOP_HOSTS);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
        assertThat(problems).as("daemons removed without leftovers").isEmpty();
        assertMachineEngineUntouched();
    }

    @Test
    @Order(1)
    void placementSpreadsBuildsByLoadAcrossTheFleet() throws Exception {
        assertThat(statuses()).as("the whole fleet is up").containsOnlyKeys(DAEMON_OF.keySet())
                .allSatisfy((host, status) -> assertThat(status).isEqualTo("online"));
        List<String> buildIds = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            String buildId = submit("spread-" + i, OVERLAPPING_RECIPE);
            // Each submit waits for its placement: two placements at the same instant read the same committed
            // usage and may both take the emptiest host, which would exercise that race rather than the policy.
            awaitPlaced(buildId);
            buildIds.add(buildId);
        }

        Map<String, Integer> buildsPerHost = new TreeMap<>();
        for (String buildId : buildIds) {
            JsonNode build = awaitSuccess(buildId);
            String hostId = build.path("host_id").asText();
            buildsPerHost.merge(hostId, 1, Integer::sum);
            String image = imageOf(build);
            // Separate engines for real: the template exists where it was built and nowhere else.
            for (Map.Entry<String, HostDaemon> entry : DAEMON_OF.entrySet()) {
                assertThat(entry.getValue().hasImage(image)).as(image + " on the daemon of " + entry.getKey())
                        .isEqualTo(entry.getKey().equals(hostId));
            }
        }
        // Least-loaded placement over builds that all overlap gives 3 each; a host finishing early could shift
        // one, not more. Placement blind to load would put them all on the first host.
        assertThat(buildsPerHost).as("builds per host").containsOnlyKeys(DAEMON_OF.keySet())
                .allSatisfy((host, count) -> assertThat(count).isBetween(2, 4));
    }

    @Test
    @Order(2)
    void drainingAHostMovesNewWorkToTheOthers() throws Exception {
        ApiTestClient api = STACK.client();
        // The host placement prefers on a tie (lowest id), so that a drain placement ignored would show at once.
        String drained = DAEMON_OF.keySet().stream().min(String::compareTo).orElseThrow();
        assertThat(api.post("/v1/hosts/" + drained + "/drain", STACK.adminKey, Map.of()).body().path("status").asText())
                .isEqualTo("draining");
        try {
            List<String> buildIds = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                buildIds.add(submit("drain-" + i, QUICK_RECIPE));
            }
            for (String buildId : buildIds) {
                JsonNode build = awaitSuccess(buildId);
                assertThat(build.path("host_id").asText()).as("host of " + buildId)
                        .isIn(DAEMON_OF.keySet()).isNotEqualTo(drained);
            }
        } finally {
            assertThat(api.post("/v1/hosts/" + drained + "/undrain", STACK.adminKey, Map.of()).body()
                    .path("status").asText()).isEqualTo("online");
        }
    }

    @Test
    @Order(3)
    void killingOneHostsWorkerAndDaemonMarksOnlyThatHostUnreachable() throws Exception {
        HostProcess victim = HOSTS.get(HOSTS.size() - 1);
        HostDaemon victimDaemon = DAEMON_OF.get(victim.hostId());
        List<String> survivors = DAEMON_OF.keySet().stream().filter(id -> !id.equals(victim.hostId())).toList();
        // Earlier builds remove their sandboxes just after they succeed; the machine dies idle, so that nothing
        // but the host's own loss decides what the monitor sees.
        Await.until(Duration.ofSeconds(30), HostFleetIT.unchecked(victimDaemon::containerCount), count -> count == 0,
                "the victim's daemon to have no containers");

        Instant killedAt = Instant.now();
        victim.kill();
        victimDaemon.kill();

        // Polled for the whole window and a little past the mark, since a monitor that judged every host by one
        // dead one would mark the others in the same or the next tick.
        Duration window = Duration.ofSeconds(25);
        Instant markedAt = null;
        while (markedAt == null || Duration.between(markedAt, Instant.now()).compareTo(Duration.ofSeconds(4)) < 0) {
            Map<String, String> statuses = statuses();
            for (String survivor : survivors) {
                assertThat(statuses.get(survivor)).as("survivor " + survivor + " after "
                        + Duration.between(killedAt, Instant.now()).toMillis() + " ms").isEqualTo("online");
            }
            if (markedAt == null && "unreachable".equals(statuses.get(victim.hostId()))) {
                markedAt = Instant.now();
            }
            if (markedAt == null && Duration.between(killedAt, Instant.now()).compareTo(window) > 0) {
                throw new AssertionError("host " + victim.hostId() + " still " + statuses.get(victim.hostId())
                        + " " + window + " after its worker and daemon were killed");
            }
            TimeUnit.SECONDS.sleep(1);
        }
        // Not at once either: the host is judged by its missing heartbeats, and the last one came at most one
        // interval (2 s, with slack for a loaded machine) before the kill.
        assertThat(Duration.between(killedAt, markedAt)).as("time until marked unreachable")
                .isGreaterThan(HEARTBEAT_TIMEOUT.dividedBy(2)).isLessThan(window);

        JsonNode build = awaitSuccess(submit("after-loss", QUICK_RECIPE));
        assertThat(build.path("host_id").asText()).isIn(survivors);
    }

    private static String submit(String purpose, List<String> recipe) {
        String name = "fleet-" + purpose + "-" + Ids.newId("x").substring(2, 10);
        ApiTestClient.Reply reply = STACK.client().post("/v1/admin/builds", STACK.adminKey,
                Map.of("name", name, "skip_pre_post", true, "recipe", recipe));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(202);
        return reply.body().path("id").asText();
    }

    private static void awaitPlaced(String buildId) throws InterruptedException {
        Await.until(Duration.ofSeconds(30), () -> build(buildId),
                body -> body.has("host_id") || !body.path("status").asText().matches("pending|running"),
                "build " + buildId + " to be placed");
    }

    private static JsonNode awaitSuccess(String buildId) throws InterruptedException {
        JsonNode build = Await.until(BUILD_TIMEOUT, () -> build(buildId),
                body -> !body.path("status").asText().matches("pending|running"), "build " + buildId + " to end");
        assertThat(build.path("status").asText()).as(build.toString()).isEqualTo("success");
        return build;
    }

    private static JsonNode build(String buildId) {
        return STACK.client().get("/v1/admin/builds/" + buildId, STACK.adminKey).body();
    }

    private static String imageOf(JsonNode build) {
        return "kiln/" + build.path("template_id").asText().toLowerCase(Locale.ROOT) + ":latest";
    }

    /** Status of every host the API knows, by id. */
    private static Map<String, String> statuses() {
        Map<String, String> statuses = new TreeMap<>();
        for (JsonNode host : STACK.client().get("/v1/hosts", STACK.adminKey).body()) {
            statuses.put(host.path("id").asText(), host.path("status").asText());
        }
        return statuses;
    }

    /**
     * The fleet's daemons must not disturb the machine's own engine, which other tests and users share: its bridge
     * is still there and it still runs containers.
     */
    private static void assertMachineEngineUntouched() throws IOException, InterruptedException {
        assertThat(command("ip", "link", "show", "docker0")).as("the machine's docker0").isZero();
        assertThat(command("docker", "run", "--rm", "kiln/minimal:latest", "true"))
                .as("a container on the machine's engine").isZero();
    }

    private static int command(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        return process.exitValue();
    }

    private static void stopHosts() {
        for (HostProcess host : HOSTS) {
            try {
                host.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** For probes that call the docker CLI inside {@link Await}, whose probe cannot throw checked exceptions. */
    private static <T> Supplier<T> unchecked(CheckedSupplier<T> probe) {
        return () -> {
            try {
                return probe.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    @FunctionalInterface
    private interface CheckedSupplier<T> {
        T get() throws IOException, InterruptedException;
    }
}
