package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static dev.kiln.activities.docker.TestArchives.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.Image;
import dev.kiln.workflows.build.BuildStep;
import dev.kiln.workflows.build.StepCacheKeys;
import dev.kiln.workflows.build.TemplateBuildWorkflowImpl;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.sandbox.ArchiveDigest;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ResolveStepCache;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepCacheGcResult;
import dev.kiln.workflows.sandbox.StepCachePlan;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.UploadArchive;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The step cache on the real engine, driven as the build workflow drives it: create, upload, read the environment,
 * resolve the cache, run the rest with their keys, flatten. Every cache image this test run's host made is removed
 * afterwards, with the sandboxes and templates of every build.
 */
class StepCacheIT extends BuildSandboxActivitiesTestBase {

    private final List<String> builds = new ArrayList<>();

    /** What one build did: its plan, the steps that ran, and the template it flattened into. */
    private record Build(String id, StepCachePlan plan, List<StepOutcome> ran, String imageRef) {}

    @AfterEach
    void removeBuildsAndTheCache() {
        for (String build : builds) {
            activities.destroyBuildSandbox(build);
        }
        StepCache.removeAll(docker, DockerTestSupport.HOST);
    }

    @Test
    void aCachedRebuildRunsNoStepAndGivesAnImageWithTheSameFilesAndConfigAsTheUncachedOne() throws Exception {
        List<BuildStep> steps = List.of(
                step(1, "RUN", "mkdir -p /app && echo hello > /app/greeting"),
                step(2, "ENV", "MODE", "prod"),
                step(3, "USER", "builder"),
                step(4, "WORKDIR", "/home/builder/app"),
                step(5, "COPY", "conf.txt", "conf.txt"),
                step(6, "RUN", "echo $MODE > mode.txt && id -un > who.txt"));
        byte[] archive = TestArchives.tar(file("conf.txt", "port=80"));

        Build uncached = build(steps, archive, true);
        Build cached = build(steps, archive, true);

        assertThat(uncached.plan().cachedSteps()).isZero();
        assertThat(uncached.ran()).hasSize(6).allSatisfy(outcome -> assertThat(outcome.ok()).isTrue());
        assertThat(cached.plan().cachedSteps()).isEqualTo(6);
        assertThat(cached.ran()).isEmpty();
        assertThat(cached.plan().keys()).isEqualTo(uncached.plan().keys());
        assertThat(files(cached.imageRef())).isEqualTo(files(uncached.imageRef())).contains("/app/greeting", "/home/builder/app/mode.txt");
        assertThat(support.run(cached.imageRef(), "/bin/sh", "-c", "cat mode.txt who.txt conf.txt"))
                .isEqualTo("prod\nbuilder\nport=80");
        assertThat(config(cached.imageRef())).isEqualTo(config(uncached.imageRef()));
    }

    @Test
    void changingOneStepRerunsItAndEveryStepAfterIt() {
        Build first = build(runs("echo one > /one", "echo two > /two", "echo three > /three", "echo four > /four"),
                null, true);

        Build second = build(runs("echo one > /one", "echo TWO > /two", "echo three > /three", "echo four > /four"),
                null, true);

        assertThat(second.plan().cachedSteps()).isEqualTo(1);
        assertThat(second.ran()).extracting(StepOutcome::step).containsExactly(2, 3, 4);
        assertThat(second.plan().keys().get(0)).isEqualTo(first.plan().keys().get(0));
        for (int step = 1; step < 4; step++) {
            assertThat(second.plan().keys().get(step)).isNotEqualTo(first.plan().keys().get(step));
        }
    }

    @Test
    void aChangedArchiveEntryRerunsTheCopyThatReadsItWithTheNewArchiveAndKeepsTheCopyBefore() throws Exception {
        List<BuildStep> steps = List.of(
                step(1, "RUN", "echo base > /base"),
                step(2, "COPY", "a.txt", "/a.txt"),
                step(3, "COPY", "b.txt", "/b.txt"),
                step(4, "RUN", "cat /a.txt /b.txt > /both"));
        build(steps, TestArchives.tar(file("a.txt", "a1\n"), file("b.txt", "b1\n")), true);

        Build second = build(steps, TestArchives.tar(file("a.txt", "a1\n"), file("b.txt", "b2\n")), true);

        assertThat(second.plan().cachedSteps()).isEqualTo(2);
        assertThat(second.ran()).extracting(StepOutcome::step).containsExactly(3, 4);
        assertThat(support.run(second.imageRef(), "cat", "/both")).isEqualTo("a1\nb2\n");
    }

    @Test
    void noCacheRerunsEveryStepInTheSandboxItWasGiven() {
        List<BuildStep> steps = runs("echo one > /one", "echo two > /two");
        build(steps, null, true);

        Build fresh = build(steps, null, false);

        assertThat(fresh.plan().cachedSteps()).isZero();
        assertThat(fresh.ran()).extracting(StepOutcome::step).containsExactly(1, 2);
    }

    @Test
    void aFailedStepIsNeverCommittedSoTheNextBuildRunsItAgain() {
        List<BuildStep> steps = runs("echo ok > /ok", "echo half > /half && exit 3");
        Build broken = build(steps, null, true);
        assertThat(broken.ran()).extracting(StepOutcome::ok).containsExactly(true, false);

        Build again = build(steps, null, true);

        assertThat(again.plan().cachedSteps()).isEqualTo(1);
        assertThat(again.ran()).extracting(StepOutcome::step).containsExactly(2);
    }

    @Test
    void collectionRemovesExpiredCacheImagesButKeepsOneARunningSandboxUses() {
        build(runs("echo one > /one", "echo two > /two"), null, true);
        String inUse = builds.get(0);
        builds.clear();
        Build rebuilt = build(runs("echo one > /one"), null, true);
        assertThat(rebuilt.plan().cachedSteps()).as("its sandbox now runs from the cache image").isEqualTo(1);
        builds.add(inUse);

        BuildSandboxHostActivitiesImpl expiring = new BuildSandboxHostActivitiesImpl(docker, DockerTestSupport.HOST,
                buildId -> {
                    throw new UnsupportedOperationException("the collection downloads nothing");
                }, new StepCacheBounds(Duration.ZERO, 0), Clock.systemUTC());
        StepCacheGcResult collected = expiring.collectStepCache();

        assertThat(collected.imagesRemoved()).isEqualTo(1);
        assertThat(collected.imagesKept()).isEqualTo(1);
        assertThat(cacheImages()).hasSize(1);
    }

    @Test
    void aDeletedHostRemovesItsWholeCacheAndLeavesTheTemplatesBuiltFromIt() throws Exception {
        List<BuildStep> steps = runs("echo one > /one", "echo two > /two", "echo three > /three");
        Build built = build(steps, null, true);
        Build rebuilt = build(steps, null, true);
        assertThat(rebuilt.plan().cachedSteps()).isEqualTo(3);
        assertThat(cacheImages()).hasSize(3);

        new LifecycleHostActivitiesImpl(docker, DockerTestSupport.HOST, () -> {}).shutDown();

        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(DockerTestSupport.HOST.buildSandboxes())
                .exec()).as("the build sandboxes, the second one running from the cache").isEmpty();
        assertThat(docker.listImagesCmd().withShowAll(true).withLabelFilter(Map.of(ContainerLabels.ROLE,
                StepCache.ROLE, ContainerLabels.HOST, DockerTestSupport.HOST.hostId())).exec())
                .as("every cache image of the deleted host, untagged parents included").isEmpty();
        assertThat(support.run(built.imageRef(), "cat", "/one", "/two", "/three")).isEqualTo("one\ntwo\nthree\n");
        assertThat(support.run(rebuilt.imageRef(), "cat", "/three")).isEqualTo("three\n");
    }

    private List<Image> cacheImages() {
        return docker.listImagesCmd().withLabelFilter(Map.of(ContainerLabels.ROLE, StepCache.ROLE,
                ContainerLabels.HOST, DockerTestSupport.HOST.hostId())).exec();
    }

    /** Runs the steps as the build workflow does, and flattens the sandbox unless a step failed. */
    private Build build(List<BuildStep> steps, byte[] archive, boolean lookup) {
        String id = buildId + "-" + (builds.size() + 1);
        builds.add(id);
        String containerId = activities.createBuildSandbox(new CreateBuildSandbox(id, MINIMAL_IMAGE, 1, 512));
        ArchiveDigest digest = null;
        if (archive != null) {
            archives.put(id, archive);
            digest = activities.uploadArchive(new UploadArchive(id, containerId, StepCacheKeys.copySources(steps)));
        }
        StepContext start = activities.readEnvironment(containerId);
        List<StepContext> contexts = TemplateBuildWorkflowImpl.stepContexts(steps, start);
        StepCachePlan plan = activities.resolveStepCache(new ResolveStepCache(
                id, containerId, MINIMAL_IMAGE, steps, contexts, digest, lookup, 1, 512));
        List<StepOutcome> ran = new ArrayList<>();
        for (int index = plan.cachedSteps(); index < steps.size(); index++) {
            BuildStep step = steps.get(index);
            StepOutcome outcome = activities.runStep(new RunStep(id, plan.containerId(), step.number(),
                    step.instruction(), step.arguments(), contexts.get(index), 0, plan.keys().get(index)));
            ran.add(outcome);
            if (!outcome.ok()) {
                return new Build(id, plan, ran, null);
            }
        }
        StepContext last = steps.isEmpty() ? start
                : TemplateBuildWorkflowImpl.stepContexts(steps, start).get(steps.size() - 1);
        String imageRef = support.image("kiln-test/cached-" + id + ":v1");
        activities.flattenSandbox(new CommitSandbox(id, plan.containerId(), imageRef, last.user(),
                last.workdir().isEmpty() ? null : last.workdir(), List.of(), Map.of("kiln.template", "cache-test"),
                null));
        return new Build(id, plan, ran, imageRef);
    }

    private String files(String imageRef) throws InterruptedException {
        return support.run(imageRef, "/bin/sh", "-c",
                "find / -xdev -not -path '/proc/*' -not -path '/sys/*' -not -path '/dev/*' 2>/dev/null | sort");
    }

    /** The image's config less what names its own build. */
    private static Map<String, Object> config(String imageRef) {
        InspectImageResponse image = docker.inspectImageCmd(imageRef).exec();
        ContainerConfig config = image.getConfig();
        Map<String, String> labels = new HashMap<>(config.getLabels());
        labels.remove(ContainerLabels.BUILD);
        Map<String, Object> kept = new HashMap<>();
        kept.put("user", config.getUser());
        kept.put("workdir", config.getWorkingDir());
        kept.put("env", List.of(config.getEnv()));
        kept.put("cmd", List.of(config.getCmd()));
        kept.put("entrypoint", config.getEntrypoint() == null ? List.of() : List.of(config.getEntrypoint()));
        kept.put("labels", labels);
        kept.put("layers", image.getRootFS().getLayers().size());
        return kept;
    }

    private static List<BuildStep> runs(String... commands) {
        List<BuildStep> steps = new ArrayList<>();
        for (String command : commands) {
            steps.add(step(steps.size() + 1, "RUN", command));
        }
        return steps;
    }

    private static BuildStep step(int number, String instruction, String... arguments) {
        return new BuildStep(number, "recipe", instruction + " " + String.join(" ", arguments), instruction,
                List.of(arguments), 0);
    }
}
