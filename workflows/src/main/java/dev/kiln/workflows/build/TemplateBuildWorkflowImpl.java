package dev.kiln.workflows.build;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;
import static dev.kiln.workflows.SearchAttributeKeys.TEMPLATE;

import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.build.recipe.ExecutionContext;
import dev.kiln.workflows.build.recipe.Instruction;
import dev.kiln.workflows.sandbox.ArchiveDigest;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.ResolveStepCache;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepCachePlan;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.UploadArchive;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

public final class TemplateBuildWorkflowImpl implements TemplateBuildWorkflow {

    /** How long a build may wait for a host with room before it fails; hosts come back, builds finish. */
    static final Duration PLACEMENT_PATIENCE = Duration.ofMinutes(10);

    /** A build that loses its host or its sandbox runs again from scratch until it has made this many attempts. */
    static final int MAX_HOSTS = 3;
    /**
     * From this version a lost host's sandbox is its own workflow's to remove, and a build whose sandbox died
     * reruns; runs from before waited on the lost host's cleanup queue and failed on a dead sandbox.
     */
    private static final String HOSTS_CLEAN_LOST_SANDBOXES = "hosts-clean-lost-sandboxes";
    /**
     * From this version a step's records are local activities (kiln-api writes them inside the workflow task that
     * schedules the next step) and steps come from the host's step cache; runs from before recorded each step with
     * two activities on the control queue and cached nothing.
     */
    private static final String STEP_CACHE = "step-cache";
    private static final String FLATTEN_RESUMED_SNAPSHOT = "flatten-resumed-snapshot";
    /**
     * From this version the steps that run are scheduled ahead of the one running, and the host holds each until the
     * one before it has succeeded ({@link StepPipeline}); runs from before scheduled each step when the one before it
     * had ended.
     */
    private static final String STEPS_AHEAD = "steps-ahead";

    /** Who cancelled, when the API did not record it: the cancel came straight to Temporal (its UI or CLI). */
    static final String CANCELLED_OUTSIDE_API = "temporal-ui";

    /** Variables of the build session that say nothing about the template (the reference's list). */
    public static final Set<String> SESSION_VARIABLES = Set.of(
            "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "HOSTNAME", "TERM", "SHLVL", "_");

    /** The stderr tail quoted in a step failure: enough for the error, short enough for a list view. */
    private static final int ERROR_TAIL_CHARS = 1024;

    private final BuildRecordActivities records =
            Workflow.newActivityStub(BuildRecordActivities.class, ActivityCatalog.record());
    private final BuildRecordActivities placement =
            Workflow.newActivityStub(BuildRecordActivities.class, ActivityCatalog.placement(PLACEMENT_PATIENCE));

    private final List<String> lostHosts = new ArrayList<>();
    private final List<Promise<Void>> lostHostCleanups = new ArrayList<>();
    private final Map<String, Long> lostAt = new HashMap<>();
    /** Why the build runs again, once it has had to; it goes into the history as the rerun's first summary. */
    private String rerun;
    private int attempts;
    private String hostId;
    private String stage = "queued";
    private Integer runningStep;
    private boolean imageCreated;
    private boolean published;
    private boolean deadlineExceeded;
    private boolean stepCache;
    /** A step that ran and succeeded, whose end is written together with the next step's start. */
    private BuildStep finishedStep;
    private StepOutcome finishedOutcome;

    @Override
    public TemplateBuildResult run(TemplateBuildInput input) {
        Workflow.upsertTypedSearchAttributes(
                KIND.valueSet("build"),
                TEMPLATE.valueSet(input.templateName()),
                TEAM.valueSet(input.teamId()),
                STATUS.valueSet(BuildStatus.RUNNING.wire()));
        Duration deadline = Duration.ofSeconds(input.deadlineSeconds());
        CancellationScope body = Workflow.newCancellationScope(() -> build(input));
        // The deadline cancels the build's own scope, so every running step is killed and cleanup still runs.
        Workflow.newTimer(deadline).thenApply(fired -> {
            deadlineExceeded = true;
            body.cancel("build deadline exceeded");
            return fired;
        });
        try {
            body.run();
            setStatus(BuildStatus.SUCCESS);
            Workflow.setCurrentDetails("built template " + input.templateName() + " on " + hostId);
            return new TemplateBuildResult(input.buildId(), BuildStatus.SUCCESS, input.templateId(), hostId);
        } catch (StepFailedException stepFailed) {
            return fail(input, stepFailed.error, stepFailed.type);
        } catch (TemporalFailure failure) {
            if (deadlineExceeded && !CancellationScope.current().isCancelRequested()) {
                return fail(input, new BuildError("build deadline of " + deadline + " exceeded during " + stage,
                        runningStep), FailureType.DEADLINE_EXCEEDED.name());
            }
            if (CancellationScope.current().isCancelRequested()) {
                recordCancelled(input);
                throw failure instanceof CanceledFailure canceled ? canceled : new CanceledFailure("build cancelled");
            }
            return fail(input, new BuildError(describe(failure), runningStep), failureType(failure));
        } finally {
            cleanUp(input);
        }
    }

    /**
     * Places the build and runs it, from the start again when its host is lost mid-build or its sandbox dies (the
     * engine restarted), up to {@link #MAX_HOSTS} attempts, as long as nothing was published. A lost host is skipped
     * until it renews its lease again; then it is a host like any other (a single-host install's kiln-host restarted).
     */
    private void build(TemplateBuildInput input) {
        records.markRunning(input.buildId());
        boolean hostsCleanLostSandboxes =
                Workflow.getVersion(HOSTS_CLEAN_LOST_SANDBOXES, Workflow.DEFAULT_VERSION, 1) == 1;
        stepCache = Workflow.getVersion(STEP_CACHE, Workflow.DEFAULT_VERSION, 1) == 1;
        while (true) {
            try {
                buildOnHost(input);
                return;
            } catch (ActivityFailure failure) {
                boolean lost = hostLost(failure);
                boolean died = !lost && hostsCleanLostSandboxes && sandboxDied(failure);
                if (!(lost || died) || published || imageCreated || attempts + 1 >= MAX_HOSTS) {
                    throw failure;
                }
                attempts++;
                String previous = hostId;
                Workflow.getLogger(TemplateBuildWorkflowImpl.class).warn("build {} {} during {}; rerunning",
                        input.buildId(), lost ? "lost host " + previous : "lost its sandbox on " + previous, stage);
                if (lost) {
                    lostHosts.add(previous);
                    lostAt.put(previous, Workflow.currentTimeMillis());
                    if (!hostsCleanLostSandboxes) {
                        lostHostCleanups.add(Async.procedure(() -> destroySandbox(previous, input.buildId())));
                    }
                    // Otherwise the lost host's own workflow removes the sandbox when it is back, as it does for any
                    // build sandbox whose build ended or moved on: this build does not wait on a host that may be gone.
                    rerun = "host " + previous + " was lost during " + stage;
                } else {
                    rerun = "its sandbox died during " + stage + " (" + rootMessage(failure) + ")";
                    destroySandbox(previous, input.buildId());
                }
                hostId = null;
                runningStep = null;
            }
        }
    }

    private void buildOnHost(TemplateBuildInput input) {
        enter("placing", lostHosts.isEmpty() ? "waiting for a host"
                : "waiting for a host; lost ones count once they renew their lease: " + lostHosts);
        hostId = placement.placeBuild(new PlaceBuild(input.buildId(), input.teamId(), input.vcpus(), input.memoryMb(),
                List.copyOf(lostHosts), Map.copyOf(lostAt)));
        Workflow.upsertTypedSearchAttributes(HOST.valueSet(hostId));
        if (rerun != null) {
            if (lostAt.containsKey(hostId)) {
                // Back: its kiln-host restarted or its network returned. What the lost attempt left goes first.
                rerun += "; host " + hostId + " came back";
                destroySandbox(hostId, input.buildId());
            }
            enter("rerun", "rerunning from the start on " + hostId + ": " + rerun);
        }

        enter("create sandbox", "creating the build sandbox on " + hostId);
        String containerId = host((rerun == null ? "" : "rerun (" + rerun + "): ") + "create build sandbox from "
                + input.baseImageRef()).createBuildSandbox(
                new CreateBuildSandbox(input.buildId(), input.baseImageRef(), input.vcpus(), input.memoryMb()));

        ArchiveDigest archive = null;
        if (input.hasArchive()) {
            enter("upload archive", "unpacking the uploaded archive on " + hostId);
            archive = host("unpack archive").uploadArchive(new UploadArchive(input.buildId(), containerId,
                    stepCache && !input.noCache() ? StepCacheKeys.copySources(input.steps()) : null));
        }

        enter("read environment", "reading the base image's environment");
        StepContext context = host("read environment").readEnvironment(containerId);
        // What the cache keys the steps on is also what the steps scheduled ahead run with.
        List<StepContext> contexts = stepContexts(input.steps(), context);
        StepCachePlan plan = null;
        if (stepCache && input.noCache()) {
            // Neither read nor written: the build runs as if the host had no cache, and leaves it as it was.
            plan = new StepCachePlan(containerId, Collections.nCopies(input.steps().size(), null), 0);
        } else if (stepCache) {
            enter("step cache", "looking up the step cache on " + hostId);
            plan = host("look up the step cache").resolveStepCache(new ResolveStepCache(input.buildId(), containerId,
                    input.baseImageRef(), input.steps(), contexts, archive, true,
                    input.vcpus(), input.memoryMb()));
            containerId = plan.containerId();
        }
        StepPipeline pipeline = plan != null && Workflow.getVersion(STEPS_AHEAD, Workflow.DEFAULT_VERSION, 1) == 1
                ? new StepPipeline(input, hostId, containerId, contexts, plan.keys(), plan.cachedSteps())
                : null;
        StepContext templateDefaults = context;
        int total = input.steps().size();
        String previousPhase = null;
        try {
            for (int index = 0; index < total; index++) {
                BuildStep step = input.steps().get(index);
                if (BuildStep.POST_BUILD.equals(step.phase()) && !BuildStep.POST_BUILD.equals(previousPhase)) {
                    templateDefaults = context;
                    context = postBuild(context);
                }
                previousPhase = step.phase();
                if (plan == null) {
                    context = runStep(input, containerId, step, total, context);
                } else if (index < plan.cachedSteps()) {
                    context = recordCached(input, step, total, context);
                } else if (pipeline != null) {
                    int scheduled = index;
                    context = runRecordedLocally(input, step, total, () -> pipeline.scheduleThrough(scheduled),
                            () -> pipeline.outcome(scheduled));
                } else {
                    RunStep request = new RunStep(input.buildId(), containerId, step.number(), step.instruction(),
                            step.arguments(), context, step.timeoutSeconds(), plan.keys().get(index));
                    BuildSandboxHostActivities host = Workflow.newActivityStub(BuildSandboxHostActivities.class,
                            ActivityCatalog.step(hostId, step.timeoutSeconds(), step.text()));
                    context = runRecordedLocally(input, step, total, () -> {}, () -> host.runStep(request));
                }
            }
        } finally {
            if (pipeline != null) {
                pipeline.stop();
            }
        }
        recordLastStep(input);
        if (!BuildStep.POST_BUILD.equals(previousPhase)) {
            templateDefaults = context;
        }
        Map<String, String> defaultEnv = templateEnv(templateDefaults.env());

        if (input.healthcheck() != null) {
            probe(input, containerId, templateDefaults.user());
        }

        CommitSandbox image = new CommitSandbox(input.buildId(), containerId, input.imageRef(), templateDefaults.user(),
                emptyToNull(templateDefaults.workdir()), envList(defaultEnv),
                Map.of("kiln.build", input.buildId(), "kiln.template", input.templateId()), input.baseImageRef());
        ImageInfo info;
        String type;
        if (input.healthcheck() != null && resumedFromCache(plan)) {
            // A sandbox started from the step cache sits on the cached steps' layers, and a commit would keep in them
            // what later steps deleted (the apt lists a later RUN removes, say): the demo's template grew from 222 MB
            // to 392 MB. Flattened instead, as builds without a healthcheck always are; still a snapshot template.
            enter("snapshot", "flattening the running sandbox, which started from the step cache, into "
                    + input.imageRef());
            imageCreated = true;
            info = host("flatten into " + input.imageRef()).flattenSandbox(image);
            type = "snapshot";
        } else if (input.healthcheck() != null) {
            enter("snapshot", "committing the running sandbox into " + input.imageRef());
            imageCreated = true;
            info = host("commit " + input.imageRef()).commitSandbox(image);
            type = "snapshot";
        } else {
            enter("flatten", "flattening the sandbox into one layer: " + input.imageRef());
            imageCreated = true;
            info = host("flatten into " + input.imageRef()).flattenSandbox(image);
            type = "image";
        }

        enter("publish", "publishing template " + input.templateName());
        records.publishTemplate(new PublishTemplate(
                input.buildId(), input.templateId(), input.teamId(), input.templateName(), type, info.imageRef(),
                info.sizeBytes(), input.vcpus(), input.memoryMb(), templateDefaults.user(), defaultEnv,
                emptyToNull(templateDefaults.workdir()), info.imageId(), info.baseImageId()));
        published = true;
    }

    /**
     * The contexts the steps will run in, known before any runs: only ENV, WORKDIR and USER change a context, each in
     * a way the step itself fixes, and post-build steps run as root whatever the recipe's last USER was.
     */
    public static List<StepContext> stepContexts(List<BuildStep> steps, StepContext start) {
        List<StepContext> contexts = new ArrayList<>(steps.size());
        StepContext context = start;
        String previousPhase = null;
        for (BuildStep step : steps) {
            if (BuildStep.POST_BUILD.equals(step.phase()) && !BuildStep.POST_BUILD.equals(previousPhase)) {
                context = postBuild(context);
            }
            previousPhase = step.phase();
            contexts.add(context);
            context = after(context, step);
        }
        return contexts;
    }

    /** Clean-up runs as root whatever the recipe's last USER was. */
    private static StepContext postBuild(StepContext context) {
        return new StepContext(context.workdir(), context.env(), ExecutionContext.ROOT);
    }

    /** What the host returns as the context after the step, had it run and succeeded. */
    static StepContext after(StepContext context, BuildStep step) {
        ExecutionContext next = new ExecutionContext(context.workdir(), context.env(), context.user())
                .afterStep(Instruction.valueOf(step.instruction()), step.arguments());
        return new StepContext(next.workdir(), new TreeMap<>(next.env()), next.user());
    }

    private StepContext recordCached(TemplateBuildInput input, BuildStep step, int total, StepContext context) {
        runningStep = step.number();
        String details = "step " + step.number() + "/" + total + " cached: " + step.text();
        enter(step.phase() + " step " + step.number(), details);
        stepRecords(details).recordStepCached(input.buildId(), step);
        runningStep = null;
        return after(context, step);
    }

    /**
     * One activity on the host per step, and one local activity between two steps that writes the end of the one
     * and the start of the next; the last step's end is written when the loop is done ({@link #recordLastStep}).
     *
     * @param schedule schedules the step's activity (and those ahead of it) before the records are written
     * @param run the step's outcome
     */
    private StepContext runRecordedLocally(TemplateBuildInput input, BuildStep step, int total, Runnable schedule,
            Supplier<StepOutcome> run) {
        runningStep = step.number();
        String details = "step " + step.number() + "/" + total + ": " + step.text();
        enter(step.phase() + " step " + step.number(), details);
        schedule.run();
        stepRecords(details + " started").recordStepTransition(input.buildId(),
                finishedStep, finishedOutcome, step);
        finishedStep = null;
        finishedOutcome = null;
        StepOutcome outcome = run.get();
        if (!outcome.ok()) {
            stepRecords(details + " failed").recordStepTransition(input.buildId(), step, outcome, null);
        } else {
            finishedStep = step;
            finishedOutcome = outcome;
        }
        return afterOutcome(step, outcome);
    }

    /** The end of the last step that ran, which no next step's start carried. */
    private void recordLastStep(TemplateBuildInput input) {
        if (finishedStep != null) {
            stepRecords("step " + finishedStep.number() + " finished").recordStepTransition(
                    input.buildId(), finishedStep, finishedOutcome, null);
            finishedStep = null;
            finishedOutcome = null;
        }
    }

    private static BuildRecordActivities stepRecords(String summary) {
        return Workflow.newLocalActivityStub(BuildRecordActivities.class, ActivityCatalog.stepRecord(summary));
    }

    private StepContext runStep(TemplateBuildInput input, String containerId, BuildStep step, int total, StepContext context) {
        runningStep = step.number();
        enter(step.phase() + " step " + step.number(), "step " + step.number() + "/" + total + ": " + step.text());
        records.recordStepStarted(input.buildId(), step);
        BuildSandboxHostActivities stepRunner = Workflow.newActivityStub(
                BuildSandboxHostActivities.class, ActivityCatalog.step(hostId, step.timeoutSeconds(), step.text()));
        StepOutcome outcome = stepRunner.runStep(new RunStep(input.buildId(), containerId, step.number(),
                step.instruction(), step.arguments(), context, step.timeoutSeconds()));
        records.recordStepFinished(input.buildId(), step, outcome);
        return afterOutcome(step, outcome);
    }

    private StepContext afterOutcome(BuildStep step, StepOutcome outcome) {
        if (!outcome.ok()) {
            throw new StepFailedException(
                    new BuildError(stepFailureMessage(step, outcome), step.number()), FailureType.STEP_FAILED.name());
        }
        runningStep = null;
        return outcome.context();
    }

    private void probe(TemplateBuildInput input, String containerId, String user) {
        HealthcheckSpec spec = input.healthcheck();
        enter("healthcheck", "probing `" + spec.command() + "` every " + Duration.ofMillis(spec.intervalMs()));
        BuildSandboxHostActivities prober = Workflow.newActivityStub(BuildSandboxHostActivities.class,
                ActivityCatalog.healthcheck(hostId, Duration.ofSeconds(input.deadlineSeconds()), "healthcheck " + spec.command()));
        HealthResult result = prober.probeHealth(new HealthProbe(input.buildId(), containerId, spec.command(), user,
                spec.intervalMs(), spec.timeoutMs(), spec.startPeriodMs(), spec.retries()));
        if (!result.healthy()) {
            String output = result.lastOutput() == null ? "" : result.lastOutput().strip();
            throw new StepFailedException(new BuildError("healthcheck failed after " + result.failures()
                    + " failed probes" + (output.isEmpty() ? "" : ": " + tail(output)), null),
                            FailureType.HEALTHCHECK_FAILED.name());
        }
    }

    static String stepFailureMessage(BuildStep step, StepOutcome outcome) {
        String stderr = outcome.stderrTail() == null ? "" : outcome.stderrTail().strip();
        String reason = stderr.isEmpty() ? "exit code " + outcome.exitCode() : tail(stderr);
        return step.phase() + " step " + step.number() + " failed: " + reason;
    }

    static Map<String, String> templateEnv(Map<String, String> env) {
        Map<String, String> kept = new TreeMap<>(env);
        kept.keySet().removeAll(SESSION_VARIABLES);
        return kept;
    }

    private static List<String> envList(Map<String, String> env) {
        return env.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()).toList();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String tail(String text) {
        return text.length() <= ERROR_TAIL_CHARS ? text : "..." + text.substring(text.length() - ERROR_TAIL_CHARS);
    }

    private BuildSandboxHostActivities host(String summary) {
        return Workflow.newActivityStub(BuildSandboxHostActivities.class, ActivityCatalog.host(hostId, summary));
    }

    /** Heartbeat silence or a queue nobody polls: the host (or its worker) is gone, not the step's fault. */
    private static boolean sandboxDied(ActivityFailure failure) {
        return failure.getCause() instanceof ApplicationFailure application
                && FailureType.SANDBOX_GONE.name().equals(application.getType());
    }

    private static String rootMessage(ActivityFailure failure) {
        return failure.getCause() instanceof ApplicationFailure application ? application.getOriginalMessage()
                : String.valueOf(failure.getCause());
    }

    private static boolean hostLost(ActivityFailure failure) {
        return failure.getCause() instanceof TimeoutFailure timeout
                && (timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_HEARTBEAT
                        || timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
    }

    /** Histories recorded before the change committed such a build: they replay as they ran. */
    private static boolean resumedFromCache(StepCachePlan plan) {
        return plan != null && plan.cachedSteps() > 0
                && Workflow.getVersion(FLATTEN_RESUMED_SNAPSHOT, Workflow.DEFAULT_VERSION, 1) == 1;
    }

    private void enter(String stageName, String details) {
        stage = stageName;
        Workflow.setCurrentDetails(details);
    }

    private String describe(TemporalFailure failure) {
        Throwable cause = failure instanceof ActivityFailure ? failure.getCause() : failure;
        String reason;
        if (cause instanceof ApplicationFailure application) {
            reason = application.getOriginalMessage();
        } else if (cause instanceof TimeoutFailure timeout) {
            reason = hostId == null
                    ? "timed out (" + timeout.getTimeoutType() + ")"
                    : "host " + hostId + " was lost (" + timeout.getTimeoutType() + ")";
        } else {
            reason = cause == null ? failure.getMessage() : cause.getMessage();
        }
        if (!lostHosts.isEmpty()) {
            reason += "; hosts lost earlier: " + String.join(", ", lostHosts);
        }
        return stage + " failed: " + reason;
    }

    private static String failureType(TemporalFailure failure) {
        if (failure.getCause() instanceof ApplicationFailure application && application.getType() != null) {
            return application.getType();
        }
        return failure.getClass().getSimpleName();
    }

    private TemplateBuildResult fail(TemplateBuildInput input, BuildError error, String type) {
        Workflow.newDetachedCancellationScope(() -> records.markFailed(input.buildId(), error)).run();
        setStatus(BuildStatus.FAILED);
        Workflow.setCurrentDetails(error.message());
        // Failing the run (rather than returning a "failed" result) shows the build red in the Temporal UI.
        throw ApplicationFailure.newNonRetryableFailure(error.message(), type);
    }

    private void recordCancelled(TemplateBuildInput input) {
        Workflow.newDetachedCancellationScope(() -> records.markCancelled(input.buildId(), CANCELLED_OUTSIDE_API)).run();
        setStatus(BuildStatus.CANCELLED);
        Workflow.setCurrentDetails("cancelled during " + stage);
    }

    /** Runs on every path, detached so that a cancel cannot skip it; nothing of an unpublished run survives. */
    private void cleanUp(TemplateBuildInput input) {
        Workflow.newDetachedCancellationScope(() -> {
            if (hostId != null) {
                destroySandbox(hostId, input.buildId());
                if (imageCreated && !published) {
                    Workflow.newActivityStub(BuildSandboxHostActivities.class, ActivityCatalog.cleanup(hostId, "remove image"))
                            .removeImage(input.imageRef());
                }
            }
            if (input.hasArchive()) {
                records.releaseArchive(input.buildId());
            }
            for (Promise<Void> cleanup : lostHostCleanups) {
                try {
                    cleanup.get();
                } catch (ActivityFailure unreachable) {
                    Workflow.getLogger(TemplateBuildWorkflowImpl.class)
                            .warn("could not clean the build sandbox on a lost host: {}", unreachable.getMessage());
                }
            }
        }).run();
    }

    private static void destroySandbox(String onHost, String buildId) {
        Workflow.newActivityStub(BuildSandboxHostActivities.class, ActivityCatalog.cleanup(onHost, "destroy build sandbox"))
                .destroyBuildSandbox(buildId);
    }

    private void setStatus(BuildStatus status) {
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(status.wire()));
    }

    /** A step or the healthcheck ran and failed: a result of the build, not an infrastructure error. */
    private static final class StepFailedException extends RuntimeException {
        private final BuildError error;
        private final String type;

        StepFailedException(BuildError error, String type) {
            super(error.message(), null, false, false);
            this.error = error;
            this.type = type;
        }
    }
}
