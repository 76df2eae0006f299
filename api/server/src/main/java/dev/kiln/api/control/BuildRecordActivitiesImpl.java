package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.BuildArchiveDao;
import dev.kiln.db.BuildDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.NewTemplateVersion;
import dev.kiln.db.PlacementDao;
import dev.kiln.db.TemplateNameTakenException;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.build.BuildError;
import dev.kiln.workflows.build.BuildRecordActivities;
import dev.kiln.workflows.build.BuildStep;
import dev.kiln.workflows.build.PlaceBuild;
import dev.kiln.workflows.build.PublishTemplate;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

public final class BuildRecordActivitiesImpl implements BuildRecordActivities {

    /** As far back as a host's step cache keeps images by default. */
    private static final Duration CACHE_HORIZON = Duration.ofDays(7);
    /** Enough recent builds to find the hosts that ran this recipe's kin, few enough for one quick query. */
    private static final int EARLIER_BUILDS_LOOKED_AT = 100;

    private final Jdbi jdbi;
    private final Clock clock;
    private final HostPlacement placement;
    private final RecordMetrics metrics;

    public BuildRecordActivitiesImpl(Jdbi jdbi, Clock clock, HostPlacement placement) {
        this(jdbi, clock, placement, RecordMetrics.NONE);
    }

    public BuildRecordActivitiesImpl(Jdbi jdbi, Clock clock, HostPlacement placement, RecordMetrics metrics) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.placement = requireNonNull(placement, "placement is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /**
     * The workflow has started. The row stays pending, in the queue the console shows, until {@link #placeBuild}
     * gives it a host and marks it running.
     */
    @Override
    public void markRunning(String buildId) {
        if (builds().findById(buildId).isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "build " + buildId + " does not exist", FailureType.NOT_FOUND.name());
        }
    }

    @Override
    public String placeBuild(PlaceBuild request) {
        Map<String, Instant> lostSince = new HashMap<>();
        for (String host : request.excludedHosts()) {
            Long lostAt = request.lostAtEpochMs() == null ? null : request.lostAtEpochMs().get(host);
            // Lost before this request said when: excluded for good, as such requests were placed then.
            lostSince.put(host, lostAt == null ? Instant.MAX : Instant.ofEpochMilli(lostAt));
        }
        HostPlacement.Choice choice = placement.choose(request.vcpus(), request.memoryMb(), lostSince,
                warmHosts(request.buildId()));
        HostRow chosen = choice.host().orElseThrow(() -> ApplicationFailure.newFailure(
                "no online host has room for " + request.vcpus() + " vCPU and " + request.memoryMb() + " MB ("
                        + choice.candidates() + " candidates)",
                FailureType.NO_CAPACITY.name()));
        builds().markPlaced(request.buildId(), chosen.id(), clock.instant());
        return chosen.id();
    }

    /** Hosts whose step cache likely holds the build's leading steps; the cache's age bound limits how far back. */
    private Set<String> warmHosts(String buildId) {
        PlacementDao placements = jdbi.onDemand(PlacementDao.class);
        return placements.recipeOf(buildId)
                .map(build -> CacheAffinity.warmHosts(build.recipe(), build.skipPrePost(),
                        placements.earlierBuildsOnTheSameBase(buildId, clock.instant().minus(CACHE_HORIZON),
                                EARLIER_BUILDS_LOOKED_AT)))
                .orElse(Set.of());
    }

    @Override
    public void recordStepStarted(String buildId, BuildStep step) {
        builds().startStep(buildId, step.number(), step.phase(), step.text(), clock.instant());
    }

    @Override
    public void recordStepFinished(String buildId, BuildStep step, StepOutcome outcome) {
        builds().completeStep(buildId, step.number(), outcome.stdoutTail(), outcome.stderrTail(), outcome.exitCode(),
                outcome.ok(), outcome.elapsedMs(), clock.instant());
        metrics.stepFinished(BuildTimings.phaseLabel(step.phase()), Duration.ofMillis(outcome.elapsedMs()));
    }

    @Override
    public void recordStepTransition(String buildId, BuildStep finished, StepOutcome outcome, BuildStep next) {
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            BuildDao builds = handle.attach(BuildDao.class);
            if (finished != null) {
                builds.completeStep(buildId, finished.number(), outcome.stdoutTail(), outcome.stderrTail(),
                        outcome.exitCode(), outcome.ok(), outcome.elapsedMs(), now);
            }
            if (next != null) {
                builds.startStep(buildId, next.number(), next.phase(), next.text(), now);
            }
        });
        if (finished != null) {
            metrics.stepFinished(BuildTimings.phaseLabel(finished.phase()), Duration.ofMillis(outcome.elapsedMs()));
        }
    }

    @Override
    public void recordStepCached(String buildId, BuildStep step) {
        builds().cacheStep(buildId, step.number(), step.phase(), step.text(), clock.instant());
    }

    /** The version records the lineage the submit resolved: the base template and version, and the recipe's hash. */
    @Override
    public void publishTemplate(PublishTemplate request) {
        // A retry after a lost answer finds its own version: the build succeeded, and publishing again would fail on
        // a build that has ended.
        if (jdbi.onDemand(TemplateVersionDao.class).findById(request.templateId()).isPresent()) {
            return;
        }
        BuildDao.Lineage lineage = builds().findLineage(request.buildId())
                .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                        "build " + request.buildId() + " does not exist", FailureType.NOT_FOUND.name()));
        NewTemplateVersion version = new NewTemplateVersion(request.templateId(), request.type(), request.imageRef(),
                request.vcpus(), request.memoryMb(), request.sizeBytes(), request.defaultUser(), request.defaultEnv(),
                request.defaultWorkdir(), request.buildId(), null, lineage.baseTemplateId(),
                lineage.parentName(), lineage.baseVersion(),
                lineage.recipeSha256(), request.imageId(), request.baseImageId());
        try {
            jdbi.inTransaction(handle -> handle.attach(BuildDao.class).publish(request.teamId(), request.name(),
                    version, clock.instant()));
        } catch (TemplateNameTakenException e) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "template_name_taken: template name \"" + request.name() + "\" was taken while the build ran",
                    FailureType.TEMPLATE_NAME_TAKEN.name());
        } catch (IllegalStateException e) {
            // The row already ended (cancelled from the API while committing): publishing now would resurrect it.
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureType.NOT_FOUND.name());
        }
        reportEnded(request.buildId());
    }

    @Override
    public void markFailed(String buildId, BuildError error) {
        if (builds().markFailed(buildId, error.message(), error.step(), clock.instant()) == 1) {
            reportEnded(buildId);
        }
    }

    @Override
    public void markCancelled(String buildId, String fallbackBy) {
        if (builds().markCancelled(buildId, fallbackBy, clock.instant()) == 1) {
            reportEnded(buildId);
        }
    }

    @Override
    public void releaseArchive(String buildId) {
        jdbi.onDemand(BuildArchiveDao.class).deleteByBuildId(buildId);
    }

    /** Called only by the activity that ended the row, so a retry or a late duplicate reports nothing more. */
    private void reportEnded(String buildId) {
        builds().findById(buildId).ifPresent(build ->
                metrics.buildEnded(build.status(), BuildTimings.phases(build, builds().findSteps(buildId))));
    }

    private BuildDao builds() {
        return jdbi.onDemand(BuildDao.class);
    }
}
