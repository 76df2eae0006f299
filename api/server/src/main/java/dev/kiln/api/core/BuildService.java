package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.require;
import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.control.HostPlacement;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.BuildRequest;
import dev.kiln.api.representation.BuildView;
import dev.kiln.db.BuildArchiveDao;
import dev.kiln.db.BuildDao;
import dev.kiln.db.BuildRow;
import dev.kiln.db.Ids;
import dev.kiln.db.TemplateAtVersion;
import dev.kiln.db.TemplateNameDao;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Collectors;
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
    private final HostPlacement placement;
    private final Clock clock;

    /** @param placement tells a queued build which hosts could take it */
    public BuildService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue, Duration buildDeadline,
            HostPlacement placement, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.placement = requireNonNull(placement, "placement is null");
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
        if (Ids.MINIMAL_TEMPLATE_NAME.equals(name)) {
            throw ApiException.forbidden("the minimal template takes no new versions");
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
        TemplateRef baseRef = TemplateRef.parse(
                request.baseTemplate() == null ? Ids.MINIMAL_TEMPLATE_NAME : request.baseTemplate(), "base_template");
        // Builds produce platform templates, so their bases are platform templates too. The version is fixed here:
        // a tag that moves while the build runs does not change what it builds on.
        TemplateAtVersion base = new TemplateResolver(jdbi).resolve(Ids.PLATFORM_TEAM_ID, baseRef, "base template");

        String buildId = Ids.newId("bld");
        String templateId = Ids.newId("tpl");
        Instant now = clock.instant();
        BuildRow row = new BuildRow(buildId, Ids.PLATFORM_TEAM_ID, name, base.template().name(),
                base.version().imageRef(), recipe,
                healthcheck == null ? null : request.healthcheck().strip(), vcpus, memoryMb, skipPrePost,
                BuildStatus.PENDING, 0, 0, steps.size(), null, null, null, null, "root", null, caller.keyId(), null, now,
                null, null, null);
        // One transaction: a host told hasArchive must find the archive, a refused build leaves no orphan, and the
        // name is claimed by the row itself, under the name's lock, so of two submits of one name exactly one lands.
        // The platform's own template of the name holds nothing: the build makes its next version.
        jdbi.useTransaction(handle -> {
            TemplateNameDao names = handle.attach(TemplateNameDao.class);
            names.lock(name);
            names.holder(Ids.PLATFORM_TEAM_ID, name).ifPresent(holder -> {
                throw new ApiException(ErrorCode.TEMPLATE_NAME_TAKEN, "the name \"" + name + "\" is held by " + holder);
            });
            BuildDao builds = handle.attach(BuildDao.class);
            builds.insert(row);
            builds.recordLineage(buildId, base.template().id(), base.version().version(), recipeSha256(recipe));
            if (archive != null) {
                handle.attach(BuildArchiveDao.class).insert(buildId, archive.format(), archive.content().length,
                        archive.sha256(), archive.content());
            }
        });
        start(row, base.version().version(), templateId, steps, healthcheck, archive != null,
                Boolean.TRUE.equals(request.noCache()));
        return get(buildId);
    }

    /** The SHA-256 of the recipe's lines, each ending in a newline, as V016 computed it for earlier builds. */
    private static String recipeSha256(List<String> recipe) {
        return Ids.sha256Hex(recipe.stream().map(line -> line + "\n").collect(Collectors.joining()));
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

    /** @param templateId the id of the version the build makes, which names its image */
    private void start(BuildRow row, int baseVersion, String templateId, List<BuildStep> steps,
            HealthcheckSpec healthcheck, boolean hasArchive, boolean noCache) {
        TemplateBuildInput input = new TemplateBuildInput(row.id(), row.teamId(), templateId, row.name(),
                row.baseImageRef(), "kiln/" + templateId.toLowerCase(Locale.ROOT) + ":latest", steps, row.vcpus(),
                row.memoryMb(), healthcheck, hasArchive, buildDeadline.toSeconds(), noCache);
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(row.id()))
                .setTaskQueue(controlTaskQueue)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary("Build template " + row.name() + " from " + row.baseTemplate() + "@v" + baseVersion
                        + " (" + steps.size() + " steps)")
                .setStaticDetails(staticDetails(row, baseVersion, steps))
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

    private static String staticDetails(BuildRow row, int baseVersion, List<BuildStep> steps) {
        StringBuilder details = new StringBuilder()
                .append("**Template** `").append(row.name()).append("`  \n")
                .append("**Base** `").append(row.baseTemplate()).append("@v").append(baseVersion).append("`  \n")
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
        Queue queue = new Queue(row.status() == BuildStatus.PENDING ? builds.listPending() : List.of());
        return BuildView.of(row, builds.findSteps(buildId), queue.of(row));
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
        BuildDao builds = jdbi.onDemand(BuildDao.class);
        List<BuildRow> rows = builds.list(wanted, LIST_LIMIT);
        boolean anyPending = rows.stream().anyMatch(row -> row.status() == BuildStatus.PENDING);
        Queue queue = new Queue(anyPending ? builds.listPending() : List.of());
        return rows.stream().map(row -> BuildView.of(row, List.of(), queue.of(row))).toList();
    }

    /** The pending builds in their order, read once per answer; eligible hosts looked up once per size. */
    private final class Queue {
        private final List<String> order;
        private final Map<List<Integer>, List<String>> eligibleBySize = new HashMap<>();

        Queue(List<BuildRow> pending) {
            this.order = pending.stream().map(BuildRow::id).toList();
        }

        /** Null for a build that is not waiting for a host. */
        BuildView.Queue of(BuildRow row) {
            int index = order.indexOf(row.id());
            if (row.status() != BuildStatus.PENDING || index < 0) {
                return null;
            }
            List<String> eligible = eligibleBySize.computeIfAbsent(List.of(row.vcpus(), row.memoryMb()),
                    size -> placement.eligible(size.get(0), size.get(1)));
            return new BuildView.Queue(index + 1, order.size(), eligible);
        }
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
