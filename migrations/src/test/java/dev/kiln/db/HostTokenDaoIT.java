package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostTokenDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private static final Duration HOUR = Duration.ofHours(1);

    private final HostTokenDao tokens = db.jdbi().onDemand(HostTokenDao.class);
    private HostRow host;

    @BeforeEach
    void insertHost() {
        host = Fixtures.host("regular", null, HostStatus.PENDING);
        db.jdbi().onDemand(HostDao.class).insert(host);
    }

    @Test
    void registrationTokenBurnsOnce() {
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRegistrationToken(Ids.newId("hrt"), host.id(), hash, "admin-key", T0, T0.plus(HOUR));

        assertThat(tokens.burnRegistrationToken(hash, T0.plusSeconds(10))).contains(host.id());
        assertThat(tokens.burnRegistrationToken(hash, T0.plusSeconds(20))).isEmpty();

        RegistrationTokenRow burnt = tokens.findRegistrationToken(hash).orElseThrow();
        assertThat(burnt.usedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(burnt.hostId()).isEqualTo(host.id());
        assertThat(burnt.createdBy()).isEqualTo("admin-key");
        assertThat(burnt.createdAt()).isEqualTo(T0);
        assertThat(burnt.expiresAt()).isEqualTo(T0.plus(HOUR));
    }

    @Test
    void expiredRegistrationTokenDoesNotBurn() {
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRegistrationToken(Ids.newId("hrt"), host.id(), hash, null, T0, T0.plus(HOUR));

        assertThat(tokens.burnRegistrationToken(hash, T0.plus(HOUR))).isEmpty();
        assertThat(tokens.findRegistrationToken(hash).orElseThrow().usedAt()).isNull();
    }

    @Test
    void unknownRegistrationTokenDoesNotBurn() {
        assertThat(tokens.burnRegistrationToken(Ids.sha256Hex("nope"), T0)).isEmpty();
        assertThat(tokens.findRegistrationToken(Ids.sha256Hex("nope"))).isEmpty();
    }

    @Test
    void refreshTokenIsActiveUntilItExpiresOrIsRevoked() {
        String id = Ids.newId("hft");
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRefreshToken(id, host.id(), hash, T0, T0.plus(HOUR));

        assertThat(tokens.findActiveRefreshToken(hash, T0.plusSeconds(1)))
                .contains(new RefreshTokenRow(id, host.id(), hash, T0, T0.plus(HOUR), null));
        assertThat(tokens.findActiveRefreshToken(hash, T0.plus(HOUR))).isEmpty();

        assertThat(tokens.revokeRefreshToken(id, T0.plusSeconds(2))).isEqualTo(1);
        assertThat(tokens.revokeRefreshToken(id, T0.plusSeconds(3))).isZero();
        assertThat(tokens.findActiveRefreshToken(hash, T0.plusSeconds(4))).isEmpty();
    }

    @Test
    void rotationByHandReplacesTheOldToken() {
        String oldHash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRefreshToken(Ids.newId("hft"), host.id(), oldHash, T0, T0.plus(HOUR));
        Instant now = T0.plusSeconds(60);
        RefreshTokenRow old = tokens.findActiveRefreshToken(oldHash, now).orElseThrow();

        String newHash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRefreshToken(Ids.newId("hft"), host.id(), newHash, now, now.plus(HOUR));
        assertThat(tokens.revokeRefreshToken(old.id(), now)).isEqualTo(1);

        assertThat(tokens.findActiveRefreshToken(oldHash, now)).isEmpty();
        assertThat(tokens.findActiveRefreshToken(newHash, now).orElseThrow().hostId()).isEqualTo(host.id());
    }

    @Test
    void rotateRefreshTokenSucceedsOnlyOncePerOldToken() {
        String oldHash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRefreshToken(Ids.newId("hft"), host.id(), oldHash, T0, T0.plus(HOUR));
        Instant now = T0.plusSeconds(60);
        RefreshTokenRow old = tokens.findActiveRefreshToken(oldHash, now).orElseThrow();
        String winner = Ids.sha256Hex(Ids.randomTokenHex(32));
        String loser = Ids.sha256Hex(Ids.randomTokenHex(32));

        assertThat(tokens.rotateRefreshToken(old, Ids.newId("hft"), winner, now, now.plus(HOUR))).isTrue();
        assertThat(tokens.rotateRefreshToken(old, Ids.newId("hft"), loser, now, now.plus(HOUR))).isFalse();

        assertThat(tokens.findActiveRefreshToken(oldHash, now)).isEmpty();
        RefreshTokenRow rotated = tokens.findActiveRefreshToken(winner, now).orElseThrow();
        assertThat(rotated.hostId()).isEqualTo(host.id());
        assertThat(rotated.createdAt()).isEqualTo(now);
        assertThat(rotated.expiresAt()).isEqualTo(now.plus(HOUR));
        assertThat(tokens.findActiveRefreshToken(loser, now)).isEmpty();
    }

    @Test
    void revokeAllRevokesEveryLiveTokenOfTheHostOnly() {
        String first = Ids.sha256Hex(Ids.randomTokenHex(32));
        String second = Ids.sha256Hex(Ids.randomTokenHex(32));
        String revoked = Ids.sha256Hex(Ids.randomTokenHex(32));
        String revokedId = Ids.newId("hft");
        tokens.insertRefreshToken(Ids.newId("hft"), host.id(), first, T0, T0.plus(HOUR));
        tokens.insertRefreshToken(Ids.newId("hft"), host.id(), second, T0, T0.plus(HOUR));
        tokens.insertRefreshToken(revokedId, host.id(), revoked, T0, T0.plus(HOUR));
        tokens.revokeRefreshToken(revokedId, T0);
        HostRow otherHost = Fixtures.host("regular", null, HostStatus.PENDING);
        db.jdbi().onDemand(HostDao.class).insert(otherHost);
        String otherHash = Ids.sha256Hex(Ids.randomTokenHex(32));
        tokens.insertRefreshToken(Ids.newId("hft"), otherHost.id(), otherHash, T0, T0.plus(HOUR));

        assertThat(tokens.revokeAllRefreshTokens(host.id(), T0.plusSeconds(1))).isEqualTo(2);

        assertThat(tokens.findActiveRefreshToken(first, T0.plusSeconds(1))).isEmpty();
        assertThat(tokens.findActiveRefreshToken(second, T0.plusSeconds(1))).isEmpty();
        assertThat(tokens.findActiveRefreshToken(otherHash, T0.plusSeconds(1))).isPresent();
    }
}
