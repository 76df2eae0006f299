package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HostTokensTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final HostTokens tokens = new HostTokens(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void issuedTokenVerifiesToItsHost() {
        assertThat(tokens.verify(tokens.issue("host-abc"))).contains("host-abc");
    }

    @Test
    void expiredTokenIsRefused() {
        String token = tokens.issue("host-abc");
        HostTokens weekLater = new HostTokens(SECRET, Clock.fixed(NOW.plus(HostTokens.LIFETIME), ZoneOffset.UTC));
        assertThat(weekLater.verify(token)).isEmpty();
    }

    @Test
    void tamperedOrForeignTokensAreRefused() {
        String token = tokens.issue("host-abc");
        String[] parts = token.split("\\.");
        String otherHostPayload = tokens.issue("host-xyz").split("\\.")[1];
        assertThat(tokens.verify(parts[0] + "." + otherHostPayload + "." + parts[2])).isEmpty();
        assertThat(new HostTokens("another-secret-another-secret-0123", Clock.fixed(NOW, ZoneOffset.UTC)).verify(token))
                .isEmpty();
        assertThat(tokens.verify("not-a-token")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        assertThat(tokens.verify(parts[0] + "." + parts[1] + ".%%%")).isEmpty();
    }

    @Test
    void shortSecretsAreRejectedAtStartup() {
        assertThatThrownBy(() -> new HostTokens("short", Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
    }
}
