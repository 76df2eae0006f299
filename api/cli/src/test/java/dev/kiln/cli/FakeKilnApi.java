package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake kiln-api on a local port, and the CLI run in-process against it: canned answers by path, what each request
 * carried, and what the CLI printed (accumulated over the runs of one test).
 */
final class FakeKilnApi implements BeforeEachCallback, AfterEachCallback {
    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    /** By {@code METHOD /path?query}. */
    final Map<String, String> requestBodies = new ConcurrentHashMap<>();
    final Map<String, String> requestTypes = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private HttpServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
    }

    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers every request under {@code path} (the longest registered prefix wins) with this status and body. */
    void route(String path, int status, String contentType, String body) {
        route(path, exchange -> answer(exchange, status, contentType, body));
    }

    void route(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        requests.add(key);
        requestBodies.put(key, new String(exchange.getRequestBody().readAllBytes(), UTF_8));
        requestTypes.put(key, String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** {@code kiln args...} with KILN_URL pointing here and an admin key. */
    int run(String... args) {
        return runWith(Map.of("KILN_ADMIN_KEY", "kiln_test"), args);
    }

    /** {@code kiln args...} with this environment, plus KILN_URL pointing here unless it says otherwise. */
    int runWith(Map<String, String> environment, String... args) {
        Map<String, String> withUrl = new HashMap<>(environment);
        withUrl.putIfAbsent("KILN_URL", url());
        KilnCli cli = new KilnCli(withUrl, false, 120, Clock.fixed(NOW, ZoneOffset.UTC));
        return cli.run(args, new PrintStream(stdout, true, UTF_8), new PrintStream(stderr, true, UTF_8));
    }

    String out() {
        return stdout.toString(UTF_8);
    }

    String err() {
        return stderr.toString(UTF_8);
    }
}
