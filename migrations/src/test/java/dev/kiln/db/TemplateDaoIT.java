package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.model.TagMoveReason;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    private final TemplateVersionDao versions = db.jdbi().onDemand(TemplateVersionDao.class);
    private String teamId;

    @BeforeEach
    void insertTeam() {
        teamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
    }

    @Test
    void minimalTemplateIsSeededUnderThePlatformTeamAsItsOwnFirstVersionTaggedLatest() {
        TemplateRow minimal = templates.findById(Ids.MINIMAL_TEMPLATE_ID).orElseThrow();
        TemplateVersionRow latest = versions.findAtTag(minimal.id(), TemplateVersionDao.LATEST).orElseThrow();

        assertThat(minimal.teamId()).isEqualTo(Ids.PLATFORM_TEAM_ID);
        assertThat(minimal.name()).isEqualTo(Ids.MINIMAL_TEMPLATE_NAME);
        assertThat(templates.findVisible(teamId, Ids.MINIMAL_TEMPLATE_NAME)).contains(minimal);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.id()).as("a first version shares its template's id").isEqualTo(minimal.id());
        assertThat(latest.imageRef()).isEqualTo("kiln/minimal:latest");
        assertThat(latest.type()).isEqualTo("image");
        assertThat(latest.defaultUser()).isEqualTo("root");
        assertThat(latest.defaultEnv()).isEmpty();
        assertThat(versions.history(minimal.id(), TemplateVersionDao.LATEST)).singleElement()
                .satisfies(move -> {
                    assertThat(move.fromVersion()).isNull();
                    assertThat(move.toVersion()).isEqualTo(1);
                    assertThat(move.reason()).isEqualTo(TagMoveReason.MIGRATION);
                });
    }

    @Test
    void insertedTemplateRoundTrips() {
        TemplateRow template = new TemplateRow(Ids.newId("tpl"), teamId, unique("py"), T0);

        templates.insert(template);

        assertThat(templates.findById(template.id())).contains(template);
        assertThat(templates.findById(Ids.newId("tpl"))).isEmpty();
    }

    @Test
    void findVisiblePrefersTheTeamsTemplateAndFallsBackToThePlatforms() {
        TemplateRow platform = insertTemplate(Ids.PLATFORM_TEAM_ID, unique("base"), "image", T0);
        TemplateRow own = insertTemplate(teamId, unique("own"), "image", T0);
        String otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        TemplateRow foreign = insertTemplate(otherTeamId, unique("foreign"), "image", T0);

        assertThat(templates.findVisible(teamId, own.name())).contains(own);
        assertThat(templates.findVisible(teamId, platform.name())).contains(platform);
        assertThat(templates.findVisible(teamId, foreign.name())).isEmpty();
        assertThat(templates.findVisible(otherTeamId, foreign.name())).contains(foreign);
        assertThat(templates.findOwned(teamId, own.name())).contains(own);
        assertThat(templates.findOwned(teamId, platform.name())).as("visible is not owned").isEmpty();
    }

    @Test
    void listVisibleIsTheTeamsAndThePlatformsAtLatestNewestFirstAndFiltersByTheLatestVersionsType() {
        TemplateRow oldImage = insertTemplate(teamId, unique("a"), "image", T0.plusSeconds(1));
        TemplateRow snapshot = insertTemplate(teamId, unique("b"), "snapshot", T0.plusSeconds(2));
        TemplateRow platform = insertTemplate(Ids.PLATFORM_TEAM_ID, unique("c"), "image", T0.plusSeconds(3));
        TemplateRow newImage = insertTemplate(teamId, unique("d"), "image", T0.plusSeconds(4));
        String otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        TemplateRow foreign = insertTemplate(otherTeamId, unique("e"), "image", T0.plusSeconds(5));
        // Its second version is a snapshot: the template now lists as one, at version 2.
        TemplateVersionRow second = versions.publish(teamId, oldImage.name(), Fixtures.version("snapshot"),
                TagMoveReason.SNAPSHOT, "snap-1", T0.plusSeconds(6));

        List<TemplateAtVersion> all = templates.listVisible(teamId, null);

        assertThat(ids(all)).containsSubsequence(newImage.id(), platform.id(), snapshot.id(), oldImage.id())
                .contains(Ids.MINIMAL_TEMPLATE_ID)
                .doesNotContain(foreign.id());
        assertThat(all).filteredOn(listed -> listed.template().id().equals(oldImage.id())).singleElement()
                .isEqualTo(new TemplateAtVersion(oldImage, second));
        assertThat(ids(templates.listVisible(teamId, "image"))).containsSubsequence(newImage.id(), platform.id())
                .doesNotContain(snapshot.id(), oldImage.id(), foreign.id());
        assertThat(ids(templates.listVisible(teamId, "snapshot"))).containsExactly(snapshot.id(), oldImage.id());
    }

    @Test
    void listAllIsEveryTeamsAndThePlatformsAtLatest() {
        TemplateRow own = insertTemplate(teamId, unique("own"), "image", T0.plusSeconds(1));
        String otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        TemplateRow foreign = insertTemplate(otherTeamId, unique("foreign"), "snapshot", T0.plusSeconds(2));

        assertThat(ids(templates.listAll())).containsSubsequence(foreign.id(), own.id())
                .contains(Ids.MINIMAL_TEMPLATE_ID);
    }

    @Test
    void nameTakenCoversTheTeamAndThePlatform() {
        String own = unique("own");
        String foreign = unique("foreign");
        insertTemplate(teamId, own, "image", T0);
        insertTemplate(Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id(), foreign, "image", T0);

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
        TemplateRow shadow = new TemplateRow(Ids.newId("tpl"), teamId, Ids.MINIMAL_TEMPLATE_NAME, T0);

        assertThatThrownBy(() -> templates.insert(shadow)).satisfies(TemplateDaoIT::isUniqueViolation);
        assertThat(templates.findById(shadow.id())).isEmpty();
    }

    @Test
    void platformTemplateCannotTakeATeamsName() {
        String name = unique("taken");
        templates.insert(template(teamId, name));

        assertThatThrownBy(() -> templates.insert(template(Ids.PLATFORM_TEAM_ID, name)))
                .satisfies(TemplateDaoIT::isUniqueViolation);
    }

    @Test
    void teamCannotUseANameTwice() {
        String name = unique("twice");
        templates.insert(template(teamId, name));

        assertThatThrownBy(() -> templates.insert(template(teamId, name)))
                .satisfies(TemplateDaoIT::isUniqueViolation);
    }

    @Test
    void concurrentTeamAndPlatformInsertsOfOneNameCannotBothCommit() throws Exception {
        String name = unique("race");
        CompletableFuture<Void> platformInsert;
        try (Handle team = db.jdbi().open()) {
            team.begin();
            team.attach(TemplateDao.class).insert(template(teamId, name));
            platformInsert = CompletableFuture.runAsync(() -> templates.insert(template(Ids.PLATFORM_TEAM_ID, name)));
            awaitALockWaiter();
            team.commit();
        }

        assertThatThrownBy(() -> platformInsert.get(10, TimeUnit.SECONDS))
                .satisfies(e -> isUniqueViolation(e.getCause()));
        assertThat(templates.findVisible(teamId, name).orElseThrow().teamId()).isEqualTo(teamId);
    }

    @Test
    void deleteByIdRemovesTheTemplateWithItsVersionsTagsAndHistory() {
        TemplateRow template = insertTemplate(teamId, unique("gone"), "image", T0);
        TemplateVersionRow second = versions.publish(teamId, template.name(), Fixtures.version("image"),
                TagMoveReason.BUILD, "bld-1", T0.plusSeconds(1));
        versions.moveTag(template.id(), "stable", 1, TagMoveReason.SET, "key-1", T0.plusSeconds(2));

        assertThat(templates.deleteById(template.id())).isEqualTo(1);
        assertThat(templates.deleteById(template.id())).isZero();
        assertThat(templates.findById(template.id())).isEmpty();
        assertThat(versions.list(template.id())).isEmpty();
        assertThat(versions.findById(second.id())).isEmpty();
        assertThat(versions.tags(template.id())).isEmpty();
        assertThat(versions.history(template.id(), "stable")).isEmpty();
    }

    private static void awaitALockWaiter() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (db.jdbi().withHandle(h -> h.select("SELECT count(*) FROM pg_locks WHERE NOT granted")
                .mapTo(Integer.class).one()) == 0) {
            assertThat(Instant.now()).as("the second insert should wait for the first").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    static void isForeignKeyViolation(Throwable e) {
        assertThat(e).isInstanceOf(UnableToExecuteStatementException.class);
        assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("23503");
    }

    static void isUniqueViolation(Throwable e) {
        assertThat(e).isInstanceOf(UnableToExecuteStatementException.class);
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
        assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("23505");
    }

    private static String unique(String name) {
        return name + "-" + Ids.randomTokenHex(4);
    }

    private static List<String> ids(List<TemplateAtVersion> rows) {
        return rows.stream().map(row -> row.template().id()).toList();
    }

    private static TemplateRow insertTemplate(String teamId, String name, String type, Instant createdAt) {
        return Fixtures.insertTemplate(db.jdbi(), teamId, name, type, createdAt).template();
    }

    private static TemplateRow template(String teamId, String name) {
        return new TemplateRow(Ids.newId("tpl"), teamId, name, T0);
    }
}
