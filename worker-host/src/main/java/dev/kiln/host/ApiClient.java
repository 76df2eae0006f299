package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The few kiln-api calls a host makes. Uses the JDK client: a host needs no Jersey client stack for four routes. */
public final class ApiClient {
    /** Heartbeats must not pile up behind a hung API: each one gives up after this long. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final ObjectMapper json;
    private final HttpClient http;

    public ApiClient(String apiUrl, ObjectMapper json) {
        this.base = URI.create(requireNonNull(apiUrl, "apiUrl is null").replaceAll("/+$", "") + "/");
        this.json = requireNonNull(json, "json is null");
        this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    }

    /** Thrown for any answer other than the expected status; carries the status for the caller to branch on. */
    public static final class ApiError extends IOException {
        private final int status;

        ApiError(int status, String body) {
            super("kiln-api answered " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public HostCredentials register(String token, Map<String, Object> facts) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>(facts);
        body.put("token", token);
        JsonNode response = post("v1/hosts/register", body, Map.of(), 201);
        return new HostCredentials(response.path("host").path("id").asText(), response.path("token").asText(),
                response.path("refresh_token").asText());
    }

    public HostCredentials refresh(HostCredentials current) throws IOException, InterruptedException {
        JsonNode response = post("v1/hosts/auth/refresh", Map.of("refresh_token", current.refreshToken()), Map.of(), 200);
        return new HostCredentials(current.hostId(), response.path("token").asText(),
                response.path("refresh_token").asText());
    }

    public void heartbeat(HostCredentials credentials, Map<String, Object> load) throws IOException, InterruptedException {
        post("v1/hosts/" + credentials.hostId() + "/heartbeat", load, Map.of("X-Host-Token", credentials.token()), 204);
    }

    private JsonNode post(String path, Object body, Map<String, String> headers, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new ApiError(response.statusCode(), response.body());
        }
        return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
    }
}
