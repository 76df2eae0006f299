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
                0, 0, 4, null, null, null, null, "kiln", Map.of("PYTHONUNBUFFERED", "1"), "key-1", null, T0, null, null);

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
    void markRunningStartsOnceAndNeverRevivesAnEndedBuild() {
        BuildRow build = insert(BuildStatus.PENDING);

        assertThat(builds.markRunning(build.id(), T0)).isEqualTo(1);
        assertThat(builds.markRunning(build.id(), T0.plusSeconds(9))).isEqualTo(1);
        BuildRow running = builds.findById(build.id()).orElseThrow();
        assertThat(running.status().wire()).isEqualTo("running");
        assertThat(running.startedAt()).isEqualTo(T0);

        builds.markCancelled(build.id(), "key-1", T0.plusSeconds(10));
        assertThat(builds.markRunning(build.id(), T0.plusSeconds(11))).isZero();
        assertThat(builds.findById(build.id()).orElseThrow().status().wire()).isEqualTo("cancelled");
    }

    @Test
    void assignHostRecordsTheHost() {
        BuildRow build = insert(BuildStatus.RUNNING);

        assertThat(builds.assignHost(build.id(), "host-1")).isEqualTo(1);

        assertThat(builds.findById(build.id()).orElseThrow().hostId()).isEqualTo("host-1");
        assertThat(builds.assignHost(Ids.newId("bld"), "host-1")).isZero();
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
    void publishCreatesTheTemplateAndCompletesTheBuild() {
        BuildRow build = insert(BuildStatus.RUNNING);
        TemplateRow template = template(build, "py-" + Ids.randomTokenHex(4));
        Map<String, String> env = Map.of("LANG", "C.UTF-8");

        builds.publish(template, build.id(), "kiln", env, T0);

        BuildRow done = builds.findById(build.id()).orElseThrow();
        assertThat(done.status().wire()).isEqualTo("success");
        assertThat(done.templateId()).isEqualTo(template.id());
        assertThat(done.defaultUser()).isEqualTo("kiln");
        assertThat(done.defaultEnv()).isEqualTo(env);
        assertThat(done.completedAt()).isEqualTo(T0);
        assertThat(templates.findById(template.id())).contains(template);
        assertThat(builds.markFailed(build.id(), "too late", null, T0.plusSeconds(1))).isZero();
    }

    @Test
    void publishWithATakenNameCommitsNothing() {
        BuildRow build = insert(BuildStatus.RUNNING);
        TemplateRow clash = template(build, Ids.MINIMAL_TEMPLATE_NAME);

        assertThatThrownBy(() -> builds.publish(clash, build.id(), "root", Map.of(), T0))
                .isInstanceOf(TemplateNameTakenException.class)
                .extracting(e -> ((TemplateNameTakenException) e).name()).isEqualTo(Ids.MINIMAL_TEMPLATE_NAME);

        BuildRow still = builds.findById(build.id()).orElseThrow();
        assertThat(still.status().wire()).isEqualTo("running");
        assertThat(still.templateId()).isNull();
        assertThat(still.completedAt()).isNull();
        assertThat(templates.findById(clash.id())).isEmpty();
    }

    @Test
    void publishingAnEndedBuildCommitsNothing() {
        BuildRow build = insert(BuildStatus.RUNNING);
        builds.markCancelled(build.id(), "key-1", T0);
        TemplateRow template = template(build, "py-" + Ids.randomTokenHex(4));

        assertThatThrownBy(() -> builds.publish(template, build.id(), "root", Map.of(), T0.plusSeconds(1)))
                .isInstanceOf(IllegalStateException.class);

        assertThat(builds.findById(build.id()).orElseThrow().status().wire()).isEqualTo("cancelled");
        assertThat(templates.findById(template.id())).isEmpty();
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

    private static TemplateRow template(BuildRow build, String name) {
        return new TemplateRow(Ids.newId("tpl"), build.teamId(), name, "image", "registry.local/py:" + build.id(), 1,
                512, 42_000_000L, "kiln", Map.of("LANG", "C.UTF-8"), null, build.id(), T0);
    }

    private static List<String> ids(List<BuildRow> rows) {
        return rows.stream().map(BuildRow::id).toList();
    }
}
