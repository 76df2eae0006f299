package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.SnapshotStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateNameDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final TemplateNameDao names = db.jdbi().onDemand(TemplateNameDao.class);
    private final BuildDao builds = db.jdbi().onDemand(BuildDao.class);
    private String teamId;
    private String otherTeamId;

    @BeforeEach
    void insertTeams() {
        teamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
        otherTeamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
    }

    @Test
    void aPendingOrRunningBuildHoldsItsNameAndAnEndedOneDoesNot() {
        String name = unique("site");
        BuildRow pending = Fixtures.build(Ids.PLATFORM_TEAM_ID, name, BuildStatus.PENDING, T0);
        builds.insert(pending);

        assertThat(names.holder(Ids.PLATFORM_TEAM_ID, name)).contains("build " + pending.id());
        assertThat(names.holder(teamId, name)).as("a platform name clashes with every team's")
                .contains("build " + pending.id());

        builds.markFailed(pending.id(), "boom", null, T0);
        assertThat(names.holder(Ids.PLATFORM_TEAM_ID, name)).isEmpty();
    }

    @Test
    void aRunningSnapshotHoldsItsNameInItsTeamsSpaceOnly() {
        String name = unique("snap");
        SnapshotRow running = snapshot(teamId, name);
        db.jdbi().onDemand(SnapshotDao.class).insert(running);

        assertThat(names.holder(teamId, name)).contains("snapshot " + running.id());
        assertThat(names.holder(Ids.PLATFORM_TEAM_ID, name)).as("the platform's space spans every team")
                .contains("snapshot " + running.id());
        assertThat(names.holder(otherTeamId, name)).as("another team's space").isEmpty();
    }

    @Test
    void aTemplateHoldsItsNameAgainstOtherSpacesButNotAgainstANewVersionOfItself() {
        String platformName = unique("base");
        String teamName = unique("own");
        TemplateRow platform = Fixtures.insertTemplate(db.jdbi(), Ids.PLATFORM_TEAM_ID, platformName, "image", T0)
                .template();
        TemplateRow own = Fixtures.insertTemplate(db.jdbi(), teamId, teamName, "image", T0).template();

        assertThat(names.holder(Ids.PLATFORM_TEAM_ID, platformName)).as("a build of it makes its next version").isEmpty();
        assertThat(names.holder(teamId, platformName)).contains("template " + platform.id());
        assertThat(names.holder(teamId, teamName)).as("a snapshot into it makes its next version").isEmpty();
        assertThat(names.holder(Ids.PLATFORM_TEAM_ID, teamName)).contains("template " + own.id());
        assertThat(names.holder(otherTeamId, teamName)).as("another team's space").isEmpty();
    }

    /** The second claimant waits on the lock until the first commits, then finds the first's row. */
    @Test
    void aSecondClaimWaitsForTheFirstTransactionAndThenSeesItsRow() throws Exception {
        String name = unique("race");
        BuildRow first = Fixtures.build(Ids.PLATFORM_TEAM_ID, name, BuildStatus.PENDING, T0);
        CountDownLatch firstHoldsTheLock = new CountDownLatch(1);
        CountDownLatch letFirstCommit = new CountDownLatch(1);
        CompletableFuture<Void> firstClaim = CompletableFuture.runAsync(() -> db.jdbi().useTransaction(handle -> {
            TemplateNameDao claims = handle.attach(TemplateNameDao.class);
            claims.lock(name);
            assertThat(claims.holder(Ids.PLATFORM_TEAM_ID, name)).isEmpty();
            handle.attach(BuildDao.class).insert(first);
            firstHoldsTheLock.countDown();
            awaitQuietly(letFirstCommit);
        }));
        assertThat(firstHoldsTheLock.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Optional<String>> secondClaim = CompletableFuture.supplyAsync(() ->
                db.jdbi().inTransaction(handle -> {
                    TemplateNameDao claims = handle.attach(TemplateNameDao.class);
                    claims.lock(name);
                    return claims.holder(Ids.PLATFORM_TEAM_ID, name);
                }));
        Thread.sleep(300);
        assertThat(secondClaim).as("blocked on the first claim's lock").isNotDone();

        letFirstCommit.countDown();
        firstClaim.get(10, TimeUnit.SECONDS);
        assertThat(secondClaim.get(10, TimeUnit.SECONDS)).contains("build " + first.id());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static SnapshotRow snapshot(String teamId, String name) {
        return new SnapshotRow(Ids.newId("snap"), teamId, Ids.newId("sb"), name, "snapshot", SnapshotStatus.RUNNING,
                null, null, "test", T0, null);
    }

    private static String unique(String prefix) {
        return prefix + "-" + Ids.newId("x").substring(2, 12);
    }
}
