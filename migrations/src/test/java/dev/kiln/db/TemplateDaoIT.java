package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final TemplateDao templates = db.jdbi().onDemand(TemplateDao.class);
    private String teamId;

    @BeforeEach
    void insertTeam() {
        teamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
    }

    @Test
    void minimalTemplateIsSeededUnderThePlatformTeam() {
        TemplateRow minimal = templates.findById(Ids.MINIMAL_TEMPLATE_ID).orElseThrow();

        assertThat(minimal.teamId()).isEqualTo(Ids.PLATFORM_TEAM_ID);
        assertThat(minimal.name()).isEqualTo(Ids.MINIMAL_TEMPLATE_NAME);
        assertThat(minimal.type()).isEqualTo("image");
        assertThat(minimal.defaultUser()).isEqualTo("root");
        assertThat(minimal.defaultEnv()).isEmpty();
        assertThat(templates.findVisible(teamId, Ids.MINIMAL_TEMPLATE_NAME)).contains(minimal);
    }

    @Test
    void insertedTemplateRoundTrips() {
        TemplateRow template = new TemplateRow(Ids.newId("tpl"), teamId, "py", "snapshot", "kiln/py:1", 4, 2048,
                123_456_789_012L, "kiln", Map.of("PATH", "/usr/bin", "LANG", "C.UTF-8"), "/work", Ids.newId("bld"),
                T0);

        templates.insert(template);

        assertThat(templates.findById(template.id())).contains(template);
        assertThat(templates.findById(Ids.newId("tpl"))).isEmpty();
    }

    @Test
    void findVisiblePrefersTheTeamsTemplateAndFallsBackToThePlatforms() {
        String platformName = unique("base");
        TemplateRow platform = Fixtures.template(Ids.PLATFORM_TEAM_ID, platformName, "image", T0);
        TemplateRow own = Fixtures.template(teamId, unique("own"), "image", T0);
        String otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        TemplateRow foreign = Fixtures.template(otherTeamId, unique("foreign"), "image", T0);
        templates.insert(platform);
        templates.insert(own);
        templates.insert(foreign);

        assertThat(templates.findVisible(teamId, own.name())).contains(own);
        assertThat(templates.findVisible(teamId, platformName)).contains(platform);
        assertThat(templates.findVisible(teamId, foreign.name())).isEmpty();
        assertThat(templates.findVisible(otherTeamId, foreign.name())).contains(foreign);
    }

    @Test
    void listVisibleIsTheTeamsAndThePlatformsNewestFirstAndFiltersByType() {
        TemplateRow oldImage = Fixtures.template(teamId, unique("a"), "image", T0.plusSeconds(1));
        TemplateRow snapshot = Fixtures.template(teamId, unique("b"), "snapshot", T0.plusSeconds(2));
        TemplateRow platform = Fixtures.template(Ids.PLATFORM_TEAM_ID, unique("c"), "image", T0.plusSeconds(3));
        TemplateRow newImage = Fixtures.template(teamId, unique("d"), "image", T0.plusSeconds(4));
        String otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        TemplateRow foreign = Fixtures.template(otherTeamId, unique("e"), "image", T0.plusSeconds(5));
        for (TemplateRow template : List.of(oldImage, snapshot, platform, newImage, foreign)) {
            templates.insert(template);
        }

        List<String> all = ids(templates.listVisible(teamId, null));
        List<String> images = ids(templates.listVisible(teamId, "image"));

        assertThat(all).containsSubsequence(newImage.id(), platform.id(), snapshot.id(), oldImage.id())
                .contains(Ids.MINIMAL_TEMPLATE_ID)
                .doesNotContain(foreign.id());
        assertThat(images).containsSubsequence(newImage.id(), platform.id(), oldImage.id())
                .doesNotContain(snapshot.id(), foreign.id());
        assertThat(ids(templates.listVisible(teamId, "snapshot"))).containsExactly(snapshot.id());
    }

    @Test
    void nameTakenCoversTheTeamAndThePlatform() {
        String own = unique("own");
        String foreign = unique("foreign");
        templates.insert(Fixtures.template(teamId, own, "image", T0));
        templates.insert(Fixtures.template(Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id(), foreign,
                "image", T0));

        assertThat(templates.nameTaken(teamId, own)).isTrue();
        assertThat(templates.nameTaken(teamId, Ids.MINIMAL_TEMPLATE_NAME)).isTrue();
        assertThat(templates.nameTaken(teamId, foreign)).isFalse();
        assertThat(templates.nameTaken(teamId, unique("free"))).isFalse();
        // The platform may not take a name some team already uses either.
        assertThat(templates.nameTaken(Ids.PLATFORM_TEAM_ID, foreign)).isTrue();
        assertThat(templates.nameTaken(Ids.PLATFORM_TEAM_ID, unique("free"))).isFalse();
    }

    @Test
    void teamTemplateCannotShadowAPlatformName() {
        TemplateRow shadow = Fixtures.template(teamId, Ids.MINIMAL_TEMPLATE_NAME, "image", T0);

        assertThatThrownBy(() -> templates.insert(shadow)).satisfies(TemplateDaoIT::isUniqueViolation);
        assertThat(templates.findById(shadow.id())).isEmpty();
    }

    @Test
    void platformTemplateCannotTakeATeamsName() {
        String name = unique("taken");
        templates.insert(Fixtures.template(teamId, name, "image", T0));

        assertThatThrownBy(() -> templates.insert(Fixtures.template(Ids.PLATFORM_TEAM_ID, name, "image", T0)))
                .satisfies(TemplateDaoIT::isUniqueViolation);
    }

    @Test
    void teamCannotUseANameTwice() {
        String name = unique("twice");
        templates.insert(Fixtures.template(teamId, name, "image", T0));

        assertThatThrownBy(() -> templates.insert(Fixtures.template(teamId, name, "snapshot", T0)))
                .satisfies(TemplateDaoIT::isUniqueViolation);
    }

    @Test
    void concurrentTeamAndPlatformInsertsOfOneNameCannotBothCommit() throws Exception {
        String name = unique("race");
        CompletableFuture<Void> platformInsert;
        try (Handle team = db.jdbi().open()) {
            team.begin();
            team.attach(TemplateDao.class).insert(Fixtures.template(teamId, name, "image", T0));
            platformInsert = CompletableFuture.runAsync(
                    () -> templates.insert(Fixtures.template(Ids.PLATFORM_TEAM_ID, name, "image", T0)));
            awaitALockWaiter();
            team.commit();
        }

        assertThatThrownBy(() -> platformInsert.get(10, TimeUnit.SECONDS))
                .satisfies(e -> isUniqueViolation(e.getCause()));
        assertThat(templates.findVisible(teamId, name).orElseThrow().teamId()).isEqualTo(teamId);
    }

    @Test
    void deleteByIdRemovesTheTemplate() {
        TemplateRow template = Fixtures.template(teamId, unique("gone"), "image", T0);
        templates.insert(template);

        assertThat(templates.deleteById(template.id())).isEqualTo(1);
        assertThat(templates.deleteById(template.id())).isZero();
        assertThat(templates.findById(template.id())).isEmpty();
    }

    private static void awaitALockWaiter() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (db.jdbi().withHandle(h -> h.select("SELECT count(*) FROM pg_locks WHERE NOT granted")
                .mapTo(Integer.class).one()) == 0) {
            assertThat(Instant.now()).as("the second insert should wait for the first").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    static void isUniqueViolation(Throwable e) {
        assertThat(e).isInstanceOf(UnableToExecuteStatementException.class);
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
        assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("23505");
    }

    private static String unique(String name) {
        return name + "-" + Ids.randomTokenHex(4);
    }

    private static List<String> ids(List<TemplateRow> rows) {
        return rows.stream().map(TemplateRow::id).toList();
    }
}
