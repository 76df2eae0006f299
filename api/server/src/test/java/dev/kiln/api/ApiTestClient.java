package dev.kiln.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain HTTP client for tests: what a curl user would send, with the raw status and body back. */
final class ApiTestClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param body the JSON body; a body that is not JSON is kept as a JSON string, so that a check shows it */
    record Reply(int status, JsonNode body, HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String errorCode() {
            return body.path("error").path("code").asText(null);
        }

        String errorMessage() {
            return body.path("error").path("message").asText(null);
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiTestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Reply get(String path, String key) {
        return send(request(path, key).GET());
    }

    Reply post(String path, String key, Object body) {
        return postRaw(path, key, write(body), Map.of());
    }

    Reply postRaw(String path, String key, String body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path, key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::setHeader);
        return send(request);
    }

    Reply put(String path, String key, Object body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    Reply delete(String path, String key) {
        return send(request(path, key).DELETE());
    }

    Reply postMultipart(String path, String key, MultipartBody body) {
        return send(request(path, key).header("Content-Type", body.contentType()).POST(body.publisher()));
    }

    HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), parse(response.body()), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        if (body.isEmpty()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException notJson) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
