package dev.kiln.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's package) on a free port, with a configuration and a data dir of its own in a temp
 * dir that {@link #close} removes along with the process.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dir;
    private final Process process;
    private final int port;
    /** Removes the process and dir if the JVM exits without {@link #close} (a killed test run). */
    private final Thread cleanupAtExit;

    private PrometheusServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.cleanupAtExit = new Thread(this::stopAndRemove, "prometheus-it-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupAtExit);
    }

    /**
     * Starts Prometheus scraping {@code /metrics} on each job's local port every {@code scrapeInterval} and
     * evaluating {@code ruleFiles} as often, and waits until it is ready.
     */
    static PrometheusServer start(Duration scrapeInterval, Map<String, Integer> portsByJob, List<Path> ruleFiles)
            throws IOException, InterruptedException {
        Path binary = PrometheusBinaries.require("prometheus");
        Path dir = Files.createTempDirectory("kiln-prometheus-it-");
        PrometheusServer server = null;
        try {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, configuration(scrapeInterval, portsByJob, ruleFiles));
            int port = freePort();
            Process process = new ProcessBuilder(binary.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            server = new PrometheusServer(dir, process, port);
            server.awaitReady(Duration.ofSeconds(60));
            return server;
        } catch (Throwable e) {
            if (server != null) {
                server.close();
            } else {
                removeTree(dir);
            }
            throw e;
        }
    }

    private static String configuration(Duration scrapeInterval, Map<String, Integer> portsByJob, List<Path> ruleFiles) {
        String interval = scrapeInterval.toMillis() + "ms";
        StringBuilder yaml = new StringBuilder();
        // The timeout may not exceed the interval; kiln-api's scrape reads PostgreSQL, which a second covers here.
        yaml.append("global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n"
                .formatted(interval, interval, interval));
        yaml.append("rule_files:\n");
        ruleFiles.forEach(file -> yaml.append("  - \"%s\"\n".formatted(file.toAbsolutePath())));
        yaml.append("scrape_configs:\n");
        portsByJob.forEach((job, port) -> yaml.append("""
                  - job_name: %s
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(job, port)));
        return yaml.toString();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Await.until(timeout, () -> !process.isAlive() || status("/-/ready") == 200, done -> done,
                "Prometheus on port " + port + " to be ready");
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue() + "; its log:\n" + log());
        }
    }

    /** Waits until every target has been scraped successfully. */
    void awaitTargetsUp(Duration timeout) throws InterruptedException {
        Await.until(timeout, () -> get("/api/v1/targets").path("data").path("activeTargets"),
                targets -> !targets.isEmpty() && targets.findValuesAsText("health").stream().allMatch("up"::equals),
                "every scrape target up");
    }

    /** {@code /api/v1/query_range}: a matrix, one element per series with its {@code metric} and {@code values}. */
    JsonNode queryRange(String promQl, Instant start, Instant end, Duration step) {
        return data("/api/v1/query_range?query=" + encode(promQl) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + step.toMillis() / 1000.0, promQl).path("result");
    }

    /** {@code /api/v1/label/<label>/values}, restricted to the series {@code selector} matches. */
    List<String> labelValues(String label, String selector, Instant start, Instant end) {
        List<String> values = new ArrayList<>();
        data("/api/v1/label/" + label + "/values?match[]=" + encode(selector) + "&start=" + seconds(start) + "&end="
                + seconds(end), selector).forEach(value -> values.add(value.asText()));
        return values;
    }

    /** {@code /api/v1/rules}: the rule groups as loaded, with each rule's health, state and last error. */
    JsonNode ruleGroups() {
        return data("/api/v1/rules", "rules").path("groups");
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The {@code data} of a successful API answer; an error (a query that does not parse) fails with its text. */
    private JsonNode data(String pathAndQuery, String what) {
        JsonNode body = get(pathAndQuery);
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus refused " + what + ": " + body);
        }
        return body.path("data");
    }

    private JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> response = HTTP.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
            return DashboardFiles.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + pathAndQuery, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (ConnectException notListeningYet) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String seconds(Instant instant) {
        return String.valueOf(instant.toEpochMilli() / 1000.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it does the same
        }
        stopAndRemove();
    }

    private void stopAndRemove() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeTree(dir);
    }

    private static void removeTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            List<Path> paths = tree.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }
}
