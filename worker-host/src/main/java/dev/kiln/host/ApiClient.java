package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The few kiln-api calls a host makes. Uses the JDK client: a host needs no Jersey client stack for five routes. */
public final class ApiClient {
    /** Heartbeats must not pile up behind a hung API: each one gives up after this long. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Enough of an error answer to say why; an error body is never worth reading whole. */
    private static final int ERROR_BODY_BYTES = 4096;
    private static final String ARCHIVE_SHA256_HEADER = "X-Archive-Sha256";

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

    /**
     * Renews the host's lease. Returns when kiln-api wants the next heartbeat: it scales the interval with the fleet's
     * size, so a host follows it within one beat.
     *
     * @param load empty when nothing changed enough to be worth a write (see {@link LoadReport})
     * @param pausedSandboxes the host paused its sandboxes while it could not reach kiln-api
     * @param sandboxesChanged the engine reported sandbox containers dying, or the host lost track of its events
     */
    public Duration heartbeat(HostCredentials credentials, Map<String, Object> load, boolean pausedSandboxes,
            boolean sandboxesChanged) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>();
        if (pausedSandboxes) {
            flags.add("paused_sandboxes=true");
        }
        if (sandboxesChanged) {
            flags.add("sandboxes_changed=true");
        }
        JsonNode reply = post("v1/hosts/" + credentials.hostId() + "/heartbeat"
                + (flags.isEmpty() ? "" : "?" + String.join("&", flags)), load, Map.of("X-Host-Token", credentials.token()),
                200);
        return Duration.ofMillis(reply.path("next_heartbeat_ms").asLong(0));
    }

    /**
     * Streams the archive uploaded with a build, for the caller to read and close. The timeout covers the wait for
     * the response to start, not the transfer of a large archive. When the API states the archive's SHA-256, the
     * stream checks it at its end and fails with an IOException on a mismatch, so a corrupted transfer is retried
     * instead of unpacked.
     */
    public InputStream downloadArchive(HostCredentials credentials, String buildId)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        base.resolve("v1/hosts/" + credentials.hostId() + "/builds/" + buildId + "/archive"))
                .timeout(REQUEST_TIMEOUT)
                .header("X-Host-Token", credentials.token())
                .GET()
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw new ApiError(response.statusCode(),
                        new String(body.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8));
            }
        }
        return response.headers().firstValue(ARCHIVE_SHA256_HEADER)
                .<InputStream>map(expected -> new VerifiedStream(response.body(), expected, buildId))
                .orElse(response.body());
    }

    /** Compares the digest of everything read with the expected one once the end is reached. */
    private static final class VerifiedStream extends FilterInputStream {
        private final String expected;
        private final String buildId;
        private boolean verified;

        VerifiedStream(InputStream in, String expected, String buildId) {
            super(new DigestInputStream(in, sha256()));
            this.expected = expected;
            this.buildId = buildId;
        }

        @Override
        public int read() throws IOException {
            int value = super.read();
            if (value < 0) {
                verify();
            }
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read < 0) {
                verify();
            }
            return read;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            verified = true;
            String actual = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
            if (!actual.equalsIgnoreCase(expected)) {
                throw new IOException("the archive of build " + buildId + " arrived corrupted: sha256 " + actual
                        + ", expected " + expected);
            }
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
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
