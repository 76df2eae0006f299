package dev.kiln.db;

import static dev.kiln.db.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.model.BuildStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BuildDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final BuildDao builds = db.jdbi().onDemand(BuildDao.class);
    private final TemplateDao templates = db.jdbi().onDemand(TemplateDao.class);
    private final TemplateVersionDao versions = db.jdbi().onDemand(TemplateVersionDao.class);
    private String teamId;

    @BeforeEach
    void insertTeam() {
        teamId = Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id();
    }

    @Test
    void insertedBuildRoundTrips() {
        BuildRow build = new BuildRow(Ids.newId("bld"), teamId, "py", "minimal", "kiln/minimal:latest",
                List.of("apt-get update", "pip install requests"), "curl -f localhost:8080", 2, 2048, true,
                BuildStatus.PENDING,
                0, 0, 4, null, null, null, null, "kiln", Map.of("PYTHONUNBUFFERED", "1"), "key-1", null, T0, null, null, null);

        builds.insert(build);

        assertThat(builds.findById(build.id())).contains(build);
        assertThat(builds.findById(Ids.newId("bld"))).isEmpty();
    }

    @Test
    void listIsNewestFirstFilteredAndLimited() {
        BuildRow oldPending = Fixtures.build(teamId, "a", BuildStatus.PENDING, T0.plusSeconds(1));
        BuildRow failed = Fixtures.build(teamId, "b", BuildStatus.FAILED, T0.plusSeconds(2));
        BuildRow newPending = Fixtures.build(teamId, "c", BuildStatus.PENDING, T0.plusSeconds(3));
        for (BuildRow build : List.of(oldPending, failed, newPending)) {
            builds.insert(build);
        }

        // No other test gives its builds explicit creation times, so these three are the newest.
        assertThat(ids(builds.list(null, 3))).containsExactly(newPending.id(), failed.id(), oldPending.id());
        assertThat(ids(builds.list(null, 1))).containsExactly(newPending.id());
        assertThat(ids(builds.list(BuildStatus.PENDING, 100))).containsSubsequence(newPending.id(), oldPending.id())
                .doesNotContain(failed.id());
        assertThat(ids(builds.list(BuildStatus.FAILED, 100))).contains(failed.id()).doesNotContain(newPending.id());
    }

    @Test
    void markPlacedRecordsTheHostStartsOnceAndNeverRevivesAnEndedBuild() {
        BuildRow build = insert(BuildStatus.PENDING);

        assertThat(builds.markPlaced(build.id(), "host-1", T0)).isEqualTo(1);
        assertThat(builds.markPlaced(build.id(), "host-2", T0.plusSeconds(9))).as("rerun on another host").isEqualTo(1);
        BuildRow running = builds.findById(build.id()).orElseThrow();
        assertThat(running.status().wire()).isEqualTo("running");
        assertThat(running.hostId()).isEqualTo("host-2");
        assertThat(running.startedAt()).isEqualTo(T0);

        builds.markCancelled(build.id(), "key-1", T0.plusSeconds(10));
        assertThat(builds.markPlaced(build.id(), "host-3", T0.plusSeconds(11))).isZero();
        assertThat(builds.findById(build.id()).orElseThrow().status().wire()).isEqualTo("cancelled");
        assertThat(builds.markPlaced(Ids.newId("bld"), "host-1", T0)).isZero();
    }

    @Test
    void aStartedStepIsTheCurrentOneAndAFinishedStepIsCounted() {
        BuildRow build = insert(BuildStatus.RUNNING);

        builds.startStep(build.id(), 1, "recipe", "apt-get update", T0);
        BuildStepRow started = builds.findSteps(build.id()).get(0);
        assertThat(started).isEqualTo(
                new BuildStepRow(build.id(), 1, "recipe", "apt-get update", "", "", null, null, null, T0, null, false));
        BuildRow running = builds.findById(build.id()).orElseThrow();
        assertThat(running.currentStep()).as("the step that runs, for \"step 1/12 running\"").isEqualTo(1);
        assertThat(running.completedSteps()).isZero();

        builds.completeStep(build.id(), 1, "Reading lists", "", 0, true, 1_234, T0.plusSeconds(2));
        assertThat(builds.findById(build.id()).orElseThrow().completedSteps()).isEqualTo(1);
        builds.startStep(build.id(), 2, "recipe", "apt-get install -y curl", T0.plusSeconds(2));
        BuildRow second = builds.findById(build.id()).orElseThrow();
        assertThat(second.currentStep()).isEqualTo(2);
        assertThat(second.completedSteps()).isEqualTo(1);
        builds.completeStep(build.id(), 2, "", "E: no such package", 100, false, 55, T0.plusSeconds(3));

        assertThat(builds.findSteps(build.id())).containsExactly(
                new BuildStepRow(build.id(), 1, "recipe", "apt-get update", "Reading lists", "", 0, true, 1_234L, T0,
                        T0.plusSeconds(2), false),
                new BuildStepRow(build.id(), 2, "recipe", "apt-get install -y curl", "", "E: no such package", 100,
                        false, 55L, T0.plusSeconds(2), T0.plusSeconds(3), false));
        BuildRow ended = builds.findById(build.id()).orElseThrow();
        assertThat(ended.currentStep()).isEqualTo(2);
        assertThat(ended.completedSteps()).isEqualTo(2);
    }

    @Test
    void retriedStepStartsClean() {
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.insertStepStarted(build.id(), 1, "pre-build", "mkdir /work", T0);
        builds.completeStep(build.id(), 1, "partial", "boom", 1, false, 10, T0.plusSeconds(1));

        builds.insertStepStarted(build.id(), 1, "pre-build", "mkdir -p /work", T0.plusSeconds(5));

        assertThat(builds.findSteps(build.id())).containsExactly(new BuildStepRow(build.id(), 1, "pre-build",
                "mkdir -p /work", "", "", null, null, null, T0.plusSeconds(5), null, false));
    }

    @Test
    void completingAStepThatNeverStartedFailsAndChangesNothing() {
        BuildRow build = insert(BuildStatus.RUNNING);

        assertThatThrownBy(() -> builds.completeStep(build.id(), 3, "", "", 0, true, 1, T0))
                .isInstanceOf(IllegalStateException.class);

        assertThat(builds.findSteps(build.id())).isEmpty();
        assertThat(builds.findById(build.id()).orElseThrow().currentStep()).isZero();
    }

    @Test
    void stepsAreListedInStepOrder() {
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.insertStepStarted(build.id(), 3, "post-build", "rm -rf /tmp/*", T0);
        builds.insertStepStarted(build.id(), 1, "pre-build", "true", T0);
        builds.insertStepStarted(build.id(), 2, "recipe", "make", T0);

        assertThat(builds.findSteps(build.id())).extracting(BuildStepRow::step).containsExactly(1, 2, 3);
    }

    @Test
    void markFailedRecordsTheErrorOnceAndLeavesEndedBuildsAlone() {
        BuildRow build = insert(BuildStatus.RUNNING);

        assertThat(builds.markFailed(build.id(), "step 2 exited with 100", 2, T0)).isEqualTo(1);
        assertThat(builds.markFailed(build.id(), "later failure", 3, T0.plusSeconds(1))).isZero();

        BuildRow failed = builds.findById(build.id()).orElseThrow();
        assertThat(failed.status().wire()).isEqualTo("failed");
        assertThat(failed.errorMessage()).isEqualTo("step 2 exited with 100");
        assertThat(failed.errorStep()).isEqualTo(2);
        assertThat(failed.completedAt()).isEqualTo(T0);
    }

    @Test
    void markFailedDoesNotOverwriteACancelledBuild() {
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.markCancelled(build.id(), "key-1", T0);

        assertThat(builds.markFailed(build.id(), "sandbox killed", null, T0.plusSeconds(1))).isZero();

        BuildRow cancelled = builds.findById(build.id()).orElseThrow();
        assertThat(cancelled.status().wire()).isEqualTo("cancelled");
        assertThat(cancelled.errorMessage()).isNull();
        assertThat(cancelled.completedAt()).isEqualTo(T0);
    }

    @Test
    void markFailedAcceptsAFailureOutsideAnyStep() {
        BuildRow build = insert(BuildStatus.PENDING);

        assertThat(builds.markFailed(build.id(), "no host available", null, T0)).isEqualTo(1);

        assertThat(builds.findById(build.id()).orElseThrow().errorStep()).isNull();
    }

    @Test
    void markCancelledOnlyCancelsALiveBuild() {
        BuildRow build = insert(BuildStatus.PENDING);

        assertThat(builds.markCancelled(build.id(), "key-1", T0)).isEqualTo(1);
        assertThat(builds.markCancelled(build.id(), "key-2", T0.plusSeconds(1))).isZero();

        BuildRow cancelled = builds.findById(build.id()).orElseThrow();
        assertThat(cancelled.status().wire()).isEqualTo("cancelled");
        assertThat(cancelled.cancelledBy()).isEqualTo("key-1");
        assertThat(cancelled.completedAt()).isEqualTo(T0);
    }

    @Test
    void markCancelledCreditsWhoeverRequestedTheCancel() {
        BuildRow build = insert(BuildStatus.RUNNING);

        assertThat(builds.requestCancel(build.id(), "key-admin", T0)).isEqualTo(1);
        assertThat(builds.markCancelled(build.id(), "temporal-ui", T0.plusSeconds(1))).isEqualTo(1);

        BuildRow cancelled = builds.findById(build.id()).orElseThrow();
        assertThat(cancelled.status().wire()).isEqualTo("cancelled");
        assertThat(cancelled.cancelledBy()).isEqualTo("key-admin");
        assertThat(cancelled.completedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void markCancelledWithoutARequestCreditsTheFallback() {
        BuildRow build = insert(BuildStatus.RUNNING);

        builds.markCancelled(build.id(), "temporal-ui", T0);

        assertThat(builds.findById(build.id()).orElseThrow().cancelledBy()).isEqualTo("temporal-ui");
        assertThat(cancelRequest(build.id())).isEqualTo(new CancelRequest(null, null));
    }

    @Test
    void theFirstCancelRequestIsKept() {
        BuildRow build = insert(BuildStatus.PENDING);

        assertThat(builds.requestCancel(build.id(), "key-1", T0)).isEqualTo(1);
        assertThat(builds.requestCancel(build.id(), "key-2", T0.plusSeconds(5))).isEqualTo(1);

        assertThat(cancelRequest(build.id())).isEqualTo(new CancelRequest("key-1", T0));
        assertThat(builds.findById(build.id()).orElseThrow().status().wire()).isEqualTo("pending");
    }

    @Test
    void requestCancelRefusesEndedAndUnknownBuilds() {
        for (BuildStatus status : List.of(BuildStatus.SUCCESS, BuildStatus.FAILED, BuildStatus.CANCELLED)) {
            BuildRow build = insert(status);

            assertThat(builds.requestCancel(build.id(), "key-1", T0)).as(status.wire()).isZero();

            assertThat(cancelRequest(build.id())).isEqualTo(new CancelRequest(null, null));
        }
        assertThat(builds.requestCancel(Ids.newId("bld"), "key-1", T0)).isZero();
    }

    @Test
    void publishCreatesTheTemplateAtVersionOneAndCompletesTheBuild() {
        BuildRow build = insert(BuildStatus.RUNNING);
        String name = "py-" + Ids.randomTokenHex(4);
        NewTemplateVersion made = version(build);

        TemplateVersionRow published = builds.publish(build.teamId(), name, made, T0);

        BuildRow done = builds.findById(build.id()).orElseThrow();
        assertThat(done.status().wire()).isEqualTo("success");
        assertThat(done.templateId()).isEqualTo(made.id());
        assertThat(done.defaultUser()).isEqualTo("kiln");
        assertThat(done.defaultEnv()).isEqualTo(Map.of("LANG", "C.UTF-8"));
        assertThat(done.completedAt()).isEqualTo(T0);
        assertThat(templates.findOwned(build.teamId(), name)).contains(new TemplateRow(made.id(), build.teamId(), name, T0));
        assertThat(published.version()).isEqualTo(1);
        assertThat(versions.findAtTag(made.id(), TemplateVersionDao.LATEST)).contains(published);
        assertThat(versions.history(made.id(), TemplateVersionDao.LATEST)).singleElement()
                .satisfies(move -> assertThat(move.movedBy()).isEqualTo(build.id()));
        assertThat(builds.markFailed(build.id(), "too late", null, T0.plusSeconds(1))).isZero();
    }

    @Test
    void publishOfAnExistingNameMakesItsNextVersionWithTheBuildsLineage() {
        String name = "py-" + Ids.randomTokenHex(4);
        TemplateVersionRow first = builds.publish(teamId, name, version(insert(BuildStatus.RUNNING)), T0);
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.recordLineage(build.id(), Ids.MINIMAL_TEMPLATE_ID, 1, "ab12");
        BuildDao.Lineage lineage = builds.findLineage(build.id()).orElseThrow();
        NewTemplateVersion made = version(build, lineage);

        TemplateVersionRow second = builds.publish(teamId, name, made, T0.plusSeconds(1));

        assertThat(lineage).isEqualTo(new BuildDao.Lineage(Ids.MINIMAL_TEMPLATE_ID, build.baseTemplate(), 1, "ab12"));
        assertThat(second.templateId()).isEqualTo(first.templateId());
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.parentTemplateId()).isEqualTo(Ids.MINIMAL_TEMPLATE_ID);
        assertThat(second.parentName()).isEqualTo(Ids.MINIMAL_TEMPLATE_NAME);
        assertThat(second.parentVersion()).isEqualTo(1);
        assertThat(second.recipeSha256()).isEqualTo("ab12");
        assertThat(second.buildId()).isEqualTo(build.id());
        assertThat(versions.findAtTag(first.templateId(), TemplateVersionDao.LATEST)).contains(second);
        assertThat(builds.findById(build.id()).orElseThrow().templateId()).as("the version it made").isEqualTo(made.id());
    }

    @Test
    void lineageIsNullUntilRecordedAndAbsentForAnUnknownBuild() {
        BuildRow build = insert(BuildStatus.RUNNING);

        assertThat(builds.findLineage(build.id())).contains(new BuildDao.Lineage(null, build.baseTemplate(), null, null));
        assertThat(builds.findLineage(Ids.newId("bld"))).isEmpty();
    }

    @Test
    void publishWithANameTakenInAnotherSpaceCommitsNothing() {
        BuildRow build = insert(BuildStatus.RUNNING);
        String name = "own-" + Ids.randomTokenHex(4);
        Fixtures.insertTemplate(db.jdbi(), teamId, name, "image", T0);
        NewTemplateVersion clash = version(build);

        assertThatThrownBy(() -> builds.publish(Ids.PLATFORM_TEAM_ID, name, clash, T0))
                .isInstanceOf(TemplateNameTakenException.class)
                .extracting(e -> ((TemplateNameTakenException) e).name()).isEqualTo(name);

        BuildRow still = builds.findById(build.id()).orElseThrow();
        assertThat(still.status().wire()).isEqualTo("running");
        assertThat(still.templateId()).isNull();
        assertThat(still.completedAt()).isNull();
        assertThat(templates.findById(clash.id())).isEmpty();
        assertThat(versions.findById(clash.id())).isEmpty();
    }

    @Test
    void publishingAnEndedBuildCommitsNothing() {
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.markCancelled(build.id(), "key-1", T0);
        NewTemplateVersion made = version(build);

        assertThatThrownBy(() -> builds.publish(teamId, "py-" + Ids.randomTokenHex(4), made, T0.plusSeconds(1)))
                .isInstanceOf(IllegalStateException.class);

        assertThat(builds.findById(build.id()).orElseThrow().status().wire()).isEqualTo("cancelled");
        assertThat(templates.findById(made.id())).isEmpty();
        assertThat(versions.findById(made.id())).isEmpty();
    }

    private BuildRow insert(BuildStatus status) {
        BuildRow build = Fixtures.build(teamId, "py", status, null);
        builds.insert(build);
        return build;
    }

    public record CancelRequest(String cancelRequestedBy, Instant cancelRequestedAt) {}

    private static CancelRequest cancelRequest(String buildId) {
        return db.jdbi().withHandle(handle -> handle
                .registerRowMapper(ConstructorMapper.factory(CancelRequest.class))
                .createQuery("SELECT cancel_requested_by, cancel_requested_at FROM template_builds WHERE id = :id")
                .bind("id", buildId)
                .mapTo(CancelRequest.class)
                .one());
    }

    private static NewTemplateVersion version(BuildRow build) {
        return version(build, new BuildDao.Lineage(null, null, null, null));
    }

    private static NewTemplateVersion version(BuildRow build, BuildDao.Lineage lineage) {
        String id = Ids.newId("tpl");
        return new NewTemplateVersion(id, "image", "kiln/" + id + ":latest", 1, 512, 42_000_000L, "kiln",
                Map.of("LANG", "C.UTF-8"), null, build.id(), null, lineage.baseTemplateId(),
                lineage.parentName(), lineage.baseVersion(),
                lineage.recipeSha256(), "sha256:" + Ids.randomTokenHex(32), "sha256:" + Ids.randomTokenHex(32));
    }

    private static List<String> ids(List<BuildRow> rows) {
        return rows.stream().map(BuildRow::id).toList();
    }
}
