package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.wire.ErrorBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Kiln REST API over java.net.http: requests written and responses read as the given types (the records of
 * {@code dev.kiln.cli.wire}, or {@code JsonNode} to show a response as it came), the API's error body turned into
 * {@link ApiError}.
 */
public final class KilnClient {
    /** Long enough for a snapshot or a golden clear, which answer when their work is done. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String key;
    private final ObjectMapper json;
    // HTTP/1.1: the event stream is a long response on one connection, and kiln-api speaks no HTTP/2 to upgrade to.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();

    /** @param key an API key; empty sends none */
    public KilnClient(String baseUrl, String key, ObjectMapper json) {
        String trimmed = requireNonNull(baseUrl, "baseUrl is null").replaceAll("/+$", "");
        this.base = URI.create(trimmed + "/");
        this.key = requireNonNull(key, "key is null");
        this.json = requireNonNull(json, "json is null");
    }

    public <T> T get(String path, Class<T> type) {
        return send(request(path).GET(), json.constructType(type));
    }

    /** A response that is a JSON array, each element read as {@code type}. */
    public <T> List<T> list(String path, Class<T> type) {
        return send(request(path).GET(), json.getTypeFactory().constructCollectionType(List.class, type));
    }

    /** @param body written as JSON; null posts no body */
    public <T> T post(String path, Object body, Class<T> type) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(write(body), UTF_8)),
                json.constructType(type));
    }

    /** @param body written as JSON */
    public <T> T put(String path, Object body, Class<T> type) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString(write(body), UTF_8)), json.constructType(type));
    }

    /** A multipart/form-data POST of a JSON {@code config} part and a file streamed from disk as the {@code archive} part. */
    public <T> T postMultipart(String path, Object config, Path archive, Class<T> type) {
        String boundary = "kiln-cli-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"config\"\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + write(config) + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"archive\"; filename=\"" + archive.getFileName().toString()
                        .replace("\"", "") + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(UTF_8);
        BodyPublisher file;
        try {
            file = BodyPublishers.ofFile(archive);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive, e);
        }
        // Every part has a known length, so the body goes with a Content-Length the server can check up front.
        BodyPublisher body = BodyPublishers.concat(
                BodyPublishers.ofByteArray(head), file, BodyPublishers.ofByteArray(tail));
        return send(request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(body),
                json.constructType(type));
    }

    /**
     * Reads a server-sent event stream, handing each event to {@code handler} until it returns false or the stream
     * ends.
     *
     * @return true if the handler stopped it, false if the server ended the stream first
     */
    public boolean events(String path, Predicate<SseEvent> handler) {
        // No request timeout: a build's stream lasts as long as the build, kept alive by the server's comments.
        HttpRequest request = HttpRequest.newBuilder(resolve(path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + key)
                .GET()
                .build();
        HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                throw error(response.statusCode(), String.join("\n", (Iterable<String>) lines::iterator));
            }
            SseParser parser = new SseParser();
            Iterator<String> iterator = lines.iterator();
            while (iterator.hasNext()) {
                var event = parser.line(iterator.next());
                if (event.isPresent() && !handler.test(event.get())) {
                    return true;
                }
            }
            return false;
        } catch (UncheckedIOException e) {
            // The connection dropped mid-stream: the same as the server ending it.
            return false;
        }
    }

    /** Waits between two polls; an interrupt ends the command as a failed request would. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", "interrupted");
        }
    }

    /** A path segment, escaped: ids and names are the user's input. */
    public static String segment(String value) {
        return URLEncoder.encode(value, UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (!key.isEmpty()) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    private URI resolve(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** The response body read as {@code type}: every route the CLI calls answers with one. */
    private <T> T send(HttpRequest.Builder request, JavaType type) {
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        if (response.statusCode() >= 400) {
            throw error(response.statusCode(), response.body());
        }
        if (response.body() == null || response.body().isBlank()) {
            throw new ApiError(response.statusCode(), "unreadable_response", "the server answered "
                    + response.statusCode() + " with no body");
        }
        try {
            return json.readValue(response.body(), type);
        } catch (JsonProcessingException e) {
            throw new ApiError(response.statusCode(), "unreadable_response", "the server answered "
                    + response.statusCode() + " with a body this client cannot read: " + e.getOriginalMessage());
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw new ApiError(0, "unreachable", "cannot reach Kiln at " + base.toString().replaceAll("/+$", "")
                    + " (set KILN_URL or --url)");
        } catch (IOException e) {
            throw new ApiError(0, "io_error", "request to " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", "interrupted");
        }
    }

    private ApiError error(int status, String body) {
        try {
            ErrorBody error = body == null || body.isBlank() ? null : json.readValue(body, ErrorBody.class);
            if (error != null && error.error() != null && error.error().code() != null) {
                String message = error.error().message();
                return new ApiError(status, error.error().code(), message == null ? "" : message);
            }
        } catch (JsonProcessingException e) {
            // Not the API's error body (a proxy's page, say): reported by status below.
        }
        String excerpt = body == null ? "" : body.strip();
        return new ApiError(status, "http_" + status, excerpt.length() > 200 ? excerpt.substring(0, 200) + "…" : excerpt);
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the request as JSON", e);
        }
    }
}
