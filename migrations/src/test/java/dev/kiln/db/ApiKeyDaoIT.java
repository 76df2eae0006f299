package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiKeyDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    @Test
    void activeKeyIsFoundByItsHash() {
        ApiKeyDao keys = db.jdbi().onDemand(ApiKeyDao.class);
        TeamRow team = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class));
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));
        ApiKeyRow key = new ApiKeyRow(Ids.newId("key"), team.id(), "ci", hash, false, Fixtures.T0, null);

        keys.insert(key);

        assertThat(keys.findActiveByHash(hash)).contains(key);
        assertThat(keys.findActiveByHash(Ids.sha256Hex("some other key"))).isEmpty();
    }

    @Test
    void revokedKeyIsNotActive() {
        ApiKeyDao keys = db.jdbi().onDemand(ApiKeyDao.class);
        TeamRow team = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class));
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));

        keys.insert(new ApiKeyRow(Ids.newId("key"), team.id(), "old", hash, false, null, Fixtures.T0));

        assertThat(keys.findActiveByHash(hash)).isEmpty();
    }

    @Test
    void insertIfAbsentSeedsOnceAndKeepsTheFirstKey() {
        ApiKeyDao keys = db.jdbi().onDemand(ApiKeyDao.class);
        String hash = Ids.sha256Hex(Ids.randomTokenHex(32));
        String firstId = Ids.newId("key");

        keys.insertIfAbsent(firstId, Ids.PLATFORM_TEAM_ID, "admin", hash, true);
        keys.insertIfAbsent(Ids.newId("key"), Ids.PLATFORM_TEAM_ID, "admin again", hash, true);

        ApiKeyRow seeded = keys.findActiveByHash(hash).orElseThrow();
        assertThat(seeded.id()).isEqualTo(firstId);
        assertThat(seeded.name()).isEqualTo("admin");
        assertThat(seeded.admin()).isTrue();
        assertThat(seeded.teamId()).isEqualTo(Ids.PLATFORM_TEAM_ID);
        assertThat(seeded.createdAt()).isNotNull();
        int rows = db.jdbi().withHandle(h -> h.select("SELECT count(*) FROM api_keys WHERE key_hash = ?", hash)
                .mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(1);
    }
}
