package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TeamDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    @Test
    void insertedTeamIsFoundWithItsCreationTimeFilledIn() {
        TeamDao teams = db.jdbi().onDemand(TeamDao.class);
        TeamRow team = new TeamRow(Ids.newId("team"), "acme", true, null);

        teams.insert(team);

        TeamRow found = teams.findById(team.id()).orElseThrow();
        assertThat(found.name()).isEqualTo("acme");
        assertThat(found.byoc()).isTrue();
        assertThat(found.createdAt()).isNotNull();
    }

    @Test
    void explicitCreationTimeIsKept() {
        TeamDao teams = db.jdbi().onDemand(TeamDao.class);
        TeamRow team = new TeamRow(Ids.newId("team"), "acme", false, Fixtures.T0);

        teams.insert(team);

        assertThat(teams.findById(team.id())).contains(team);
    }

    @Test
    void platformTeamIsSeeded() {
        TeamRow platform = db.jdbi().onDemand(TeamDao.class).findById(Ids.PLATFORM_TEAM_ID).orElseThrow();

        assertThat(platform.name()).isEqualTo("platform");
        assertThat(platform.byoc()).isFalse();
    }

    @Test
    void unknownTeamIsEmpty() {
        assertThat(db.jdbi().onDemand(TeamDao.class).findById(Ids.newId("team"))).isEmpty();
    }
}
