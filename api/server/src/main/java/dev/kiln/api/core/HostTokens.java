package dev.kiln.api.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Host JWTs: HS256, claim {@code typ: host}, {@code host_id}, seven days. Written by hand: signing and checking
 * one fixed algorithm is a screenful, and a JWT library would bring algorithm negotiation we must not allow.
 */
public final class HostTokens {
    public static final Duration LIFETIME = Duration.ofDays(7);
    private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Clock clock;

    public HostTokens(String secret, Clock clock) {
        requireNonNull(secret, "secret is null");
        if (secret.length() < 32) {
            throw new IllegalArgumentException("the host token secret must be at least 32 characters");
        }
        this.secret = secret.getBytes(UTF_8);
        this.clock = requireNonNull(clock, "clock is null");
    }

    public String issue(String hostId) {
        long now = clock.instant().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("typ", "host");
        claims.put("host_id", hostId);
        claims.put("iat", now);
        claims.put("exp", now + LIFETIME.toSeconds());
        try {
            String payload = encode(JSON.writeValueAsBytes(claims));
            return HEADER + "." + payload + "." + encode(sign(HEADER + "." + payload));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode host token claims", e);
        }
    }

    /** The host id of a valid, unexpired host token; empty for anything else. */
    public Optional<String> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3 || !parts[0].equals(HEADER)) {
            return Optional.empty();
        }
        byte[] expected = sign(parts[0] + "." + parts[1]);
        byte[] actual;
        try {
            actual = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            return Optional.empty();
        }
        Map<String, Object> claims;
        try {
            claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), new TypeReference<>() {});
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!"host".equals(claims.get("typ"))
                || !(claims.get("exp") instanceof Number exp)
                || exp.longValue() <= clock.instant().getEpochSecond()
                || !(claims.get("host_id") instanceof String hostId)) {
            return Optional.empty();
        }
        return Optional.of(hostId);
    }

    private byte[] sign(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
