package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.require;
import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.BuildRequest;
import dev.kiln.api.representation.BuildView;
import dev.kiln.db.BuildArchiveDao;
import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.Ids;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateNameDao;
import dev.kiln.db.TemplateRow;
import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.build.BuildStep;
import dev.kiln.workflows.build.HealthcheckSpec;
import dev.kiln.workflows.build.TemplateBuildInput;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
import dev.kiln.workflows.build.recipe.BuildPlanner;
import dev.kiln.workflows.build.recipe.Healthcheck;
import dev.kiln.workflows.build.recipe.RecipeException;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.common.SearchAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Validates and submits template builds, and reads them back. */
public final class BuildService {
    private static final Logger LOG = LoggerFactory.getLogger(BuildService.class);
    private static final int LIST_LIMIT = 200;

    private final Jdbi jdbi;
    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    private final Duration buildDeadline;
    private final Clock clock;

    public BuildService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue, Duration buildDeadline, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.buildDeadline = requireNonNull(buildDeadline, "buildDeadline is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public BuildView submit(Caller caller, BuildRequest request) {
        return submitBuild(caller, request, null);
    }

    /** A build with the archive uploaded beside it; a null {@code archive} is a build without one. */
    public BuildView submit(Caller caller, BuildRequest request, UploadedArchive archive) {
        return submitBuild(caller, request, archive);
    }

    private BuildView submitBuild(Caller caller, BuildRequest request, UploadedArchive archive) {
        String name = requireText(request.name(), "name");
        if (!SafeNames.isSafe(name)) {
            throw ApiException.badRequest("field name must match [a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
        }
        List<String> recipe = require(request.recipe(), "recipe");
        if (recipe.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_RECIPE, "recipe has no steps");
        }
        boolean skipPrePost = Boolean.TRUE.equals(request.skipPrePost());
        List<BuildStep> steps;
        HealthcheckSpec healthcheck;
        try {
            steps = BuildPlanner.plan(recipe, skipPrePost);
            healthcheck = healthcheckOf(request.healthcheck());
        } catch (RecipeException e) {
            throw new ApiException(ErrorCode.INVALID_RECIPE, e.getMessage());
        }
        int vcpus = positiveOr(request.vcpus(), 1, "vcpus");
        int memoryMb = positiveOr(request.memoryMb(), 512, "memory_mb");
        String baseName = request.baseTemplate() == null ? Ids.MINIMAL_TEMPLATE_NAME : request.baseTemplate();
        TemplateDao templates = jdbi.onDemand(TemplateDao.class);
        // Builds produce platform templates, so their bases are platform templates too.
        TemplateRow base = templates.findVisible(Ids.PLATFORM_TEAM_ID, baseName)
                .filter(template -> template.teamId().equals(Ids.PLATFORM_TEAM_ID))
                .orElseThrow(() -> new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, "base template \"" + baseName + "\" not found"));

        String buildId = Ids.newId("bld");
        String templateId = Ids.newId("tpl");
        Instant now = clock.instant();
        BuildRow row = new BuildRow(buildId, Ids.PLATFORM_TEAM_ID, name, base.name(), base.imageRef(), recipe,
                healthcheck == null ? null : request.healthcheck().strip(), vcpus, memoryMb, skipPrePost,
                BuildStatus.PENDING, 0, 0, steps.size(), null, null, null, null, "root", null, caller.keyId(), null, now,
                null, null);
        // One transaction: a host told hasArchive must find the archive, a refused build leaves no orphan, and the
        // name is claimed by the row itself, under the name's lock, so of two submits of one name exactly one lands.
        jdbi.useTransaction(handle -> {
            TemplateNameDao names = handle.attach(TemplateNameDao.class);
            names.lock(name);
            names.holder(Ids.PLATFORM_TEAM_ID, name, false).ifPresent(holder -> {
                throw new ApiException(ErrorCode.TEMPLATE_NAME_TAKEN, "the name \"" + name + "\" is held by " + holder);
            });
            handle.attach(BuildDao.class).insert(row);
            if (archive != null) {
                handle.attach(BuildArchiveDao.class).insert(buildId, archive.format(), archive.content().length,
                        archive.sha256(), archive.content());
            }
        });
        start(row, templateId, steps, healthcheck, archive != null, Boolean.TRUE.equals(request.noCache()));
        return get(buildId);
    }

    /** Null for no healthcheck; the parse errors name the healthcheck, since they are not about a recipe line. */
    private static HealthcheckSpec healthcheckOf(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Healthcheck parsed = Healthcheck.parse(text);
        return new HealthcheckSpec(parsed.command(), parsed.interval().toMillis(), parsed.timeout().toMillis(),
                parsed.startPeriod().toMillis(), parsed.retries());
    }

    private void start(BuildRow row, String templateId, List<BuildStep> steps, HealthcheckSpec healthcheck,
            boolean hasArchive, boolean noCache) {
        TemplateBuildInput input = new TemplateBuildInput(row.id(), row.teamId(), templateId, row.name(),
                row.baseImageRef(), "kiln/" + templateId.toLowerCase(Locale.ROOT) + ":latest", steps, row.vcpus(),
                row.memoryMb(), healthcheck, hasArchive, buildDeadline.toSeconds(), noCache);
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(row.id()))
                .setTaskQueue(controlTaskQueue)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary("Build template " + row.name() + " from " + row.baseTemplate()
                        + " (" + steps.size() + " steps)")
                .setStaticDetails(staticDetails(row, steps))
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "build")
                        .set(SearchAttributeKeys.STATUS, BuildStatus.PENDING.wire())
                        .set(SearchAttributeKeys.TEMPLATE, row.name())
                        .set(SearchAttributeKeys.TEAM, row.teamId())
                        .build())
                .build();
        try {
            WorkflowClient.start(temporal.newWorkflowStub(TemplateBuildWorkflow.class, options)::run, input);
        } catch (RuntimeException e) {
            LOG.error("could not start the workflow of build {}", row.id(), e);
            jdbi.onDemand(BuildDao.class).markFailed(row.id(), "could not start the build workflow: " + e.getMessage(),
                    null, clock.instant());
            // No workflow will run to release it.
            jdbi.onDemand(BuildArchiveDao.class).deleteByBuildId(row.id());
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not accept the build; try again");
        }
    }

    private static String staticDetails(BuildRow row, List<BuildStep> steps) {
        StringBuilder details = new StringBuilder()
                .append("**Template** `").append(row.name()).append("`  \n")
                .append("**Base** `").append(row.baseTemplate()).append("`  \n")
                .append("**Resources** ").append(row.vcpus()).append(" vCPU, ").append(row.memoryMb()).append(" MB  \n")
                .append("**Build** `").append(row.id()).append("`\n\n");
        for (BuildStep step : steps) {
            details.append(step.number()).append(". `").append(step.text().replace("`", "'")).append("`\n");
        }
        return details.toString();
    }

    public BuildView get(String buildId) {
        BuildDao builds = jdbi.onDemand(BuildDao.class);
        BuildRow row = builds.findById(buildId).orElseThrow(() -> ApiException.notFound("build", buildId));
        return BuildView.of(row, builds.findSteps(buildId));
    }

    /**
     * Records who cancels, then asks the workflow to stop. The workflow marks the build cancelled, crediting this
     * caller, once its running step is killed and its sandbox removed, so the view returned is usually still live.
     */
    public BuildView cancel(Caller caller, String buildId) {
        BuildDao builds = jdbi.onDemand(BuildDao.class);
        // Recorded before the workflow hears of the cancel, so that the workflow finds whom to credit.
        if (builds.requestCancel(buildId, caller.keyId(), clock.instant()) == 0) {
            BuildRow row = builds.findById(buildId).orElseThrow(() -> ApiException.notFound("build", buildId));
            throw new ApiException(ErrorCode.BUILD_FINISHED, "build is already " + row.status().wire());
        }
        try {
            temporal.newUntypedWorkflowStub(TemplateBuildWorkflow.workflowId(buildId)).cancel();
        } catch (WorkflowNotFoundException e) {
            // The workflow closed between the two calls; it records its own end before closing.
            LOG.info("the cancel of build {} came after its workflow had closed", buildId);
        } catch (WorkflowServiceException e) {
            LOG.error("could not cancel the workflow of build {}", buildId, e);
            throw new ApiException(ErrorCode.TEMPORAL_UNAVAILABLE, "the workflow service did not take the cancel; try again");
        }
        return get(buildId);
    }

    public List<BuildView> list(String status) {
        BuildStatus wanted = status == null ? null : Requests.wireValue(BuildStatus.class, "status", status);
        return jdbi.onDemand(BuildDao.class).list(wanted, LIST_LIMIT).stream()
                .map(row -> BuildView.of(row, List.of()))
                .toList();
    }

    private static int positiveOr(Integer value, int fallback, String field) {
        if (value == null || value == 0) {
            return fallback;
        }
        if (value < 0) {
            throw ApiException.badRequest("field " + field + " must be positive");
        }
        return value;
    }
}
