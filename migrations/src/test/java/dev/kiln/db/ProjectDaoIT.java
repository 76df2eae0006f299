package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.GoldenStatus;
import dev.kiln.model.HostStatus;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProjectDaoIT {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private ProjectDao projects;
    private String teamId;
    private String hostId;

    @BeforeEach
    void createAProjectAndAHost() {
        projects = DB.jdbi().onDemand(ProjectDao.class);
        teamId = Fixtures.insertTeam(DB.jdbi().onDemand(TeamDao.class)).id();
        HostRow host = Fixtures.host("regular", null, HostStatus.ONLINE);
        DB.jdbi().onDemand(HostDao.class).insert(host);
        hostId = host.id();
        projects.upsert("webapp-" + hostId, teamId, "Web app", "docker build .", false, T0);
    }

    @Test
    void putUpdatesTheTeamsProjectButNeverAnotherTeams() {
        String id = "webapp-" + hostId;
        assertThat(projects.upsert(id, teamId, "Renamed", "true", true, T0)).hasValueSatisfying(project -> {
            assertThat(project.name()).isEqualTo("Renamed");
            assertThat(project.autoWarm()).isTrue();
        });
        String otherTeam = Fixtures.insertTeam(DB.jdbi().onDemand(TeamDao.class)).id();

        assertThat(projects.upsert(id, otherTeam, "Stolen", "rm -rf /", false, T0)).isEmpty();
        assertThat(projects.findById(id).orElseThrow().name()).isEqualTo("Renamed");
    }

    @Test
    void aLateResultOfASupersededBuildNeverOverwritesTheNewerStatus() {
        String project = "webapp-" + hostId;
        projects.markBuilding(project, hostId, "gb-old", T0);
        projects.markBuilding(project, hostId, "gb-new", T0);

        assertThat(projects.markReady(project, hostId, "gb-old", 7, 100, T0)).isZero();
        assertThat(projects.markFailed(project, hostId, "gb-old", "late")).isZero();
        assertThat(projects.markCancelled(project, hostId, "gb-old")).isZero();
        assertThat(projects.goldenHost(project, hostId).orElseThrow().status().wire()).isEqualTo("building");

        assertThat(projects.markReady(project, hostId, "gb-new", 1, 100, T0)).isEqualTo(1);
        GoldenHostRow ready = projects.goldenHost(project, hostId).orElseThrow();
        assertThat(ready.status().wire()).isEqualTo("ready");
        assertThat(ready.generation()).isEqualTo(1);
    }

    @Test
    void aFailedOrCancelledBuildKeepsThePreviousGeneration() {
        String project = "webapp-" + hostId;
        projects.markBuilding(project, hostId, "gb-1", T0);
        projects.markReady(project, hostId, "gb-1", 1, 100, T0);

        projects.markBuilding(project, hostId, "gb-2", T0);
        projects.markFailed(project, hostId, "gb-2", "exit 3");
        assertThat(projects.goldenHost(project, hostId).orElseThrow()).satisfies(golden -> {
            assertThat(golden.status().wire()).isEqualTo("failed");
            assertThat(golden.generation()).isEqualTo(1);
        });

        projects.markBuilding(project, hostId, "gb-3", T0);
        projects.markCancelled(project, hostId, "gb-3");
        assertThat(projects.goldenHost(project, hostId).orElseThrow().status()).as("back to the kept golden")
                .isEqualTo(GoldenStatus.READY);
    }
}
