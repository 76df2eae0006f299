package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.HOST;
import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.PROJECT;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;

import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureMessages;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

public final class GoldenHostBuildWorkflowImpl implements GoldenHostBuildWorkflow {
    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    private GoldenHostBuild build;

    @Override
    public GoldenBuildStatus run(GoldenHostBuild request) {
        build = request;
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("golden-build"), PROJECT.valueSet(request.projectId()),
                HOST.valueSet(request.hostId()), TEAM.valueSet(request.teamId()), STATUS.valueSet(GoldenBuildStatus.BUILDING.wire()));
        GoldenHostActivities host = Workflow.newActivityStub(GoldenHostActivities.class,
                ActivityCatalog.goldenBuild(request.hostId(), request.deadlineSeconds(), "run the warm-up script"));
        try {
            Workflow.setCurrentDetails("running the warm-up script (" + (request.incremental() ? "from the current golden"
                    : "from an empty data dir") + ")");
            GoldenBuildResult result = host.build(new GoldenBuildRequest(request.projectId(), request.buildId(),
                    request.warmupScript(), request.deadlineSeconds(), request.incremental()));
            if (!result.ok()) {
                String error = failureOf(result);
                records.buildFailed(request.projectId(), request.hostId(), request.buildId(), error, series());
                return finish(GoldenBuildStatus.FAILED, error);
            }
            Workflow.setCurrentDetails("purging runtime state");
            GoldenPurgeResult purged = hostCall("purge runtime state").purge(request.projectId(), request.buildId());
            Workflow.setCurrentDetails("promoting (" + purged.prunedLayers() + " unused layers pruned)");
            GoldenGeneration generation = hostCall("promote").promote(request.projectId(), request.buildId());
            records.buildReady(request.projectId(), request.hostId(), request.buildId(), generation, series());
            return finish(GoldenBuildStatus.READY, "generation " + generation.generation() + ", " + generation.sizeBytes() + " bytes");
        } catch (ActivityFailure | CanceledFailure failure) {
            // A cancel reaches the running activity, which ends with an ActivityFailure caused by the cancel.
            boolean cancelled = CancellationScope.current().isCancelRequested();
            String error = cancelled ? "cancelled" : FailureMessages.root(failure);
            Workflow.newDetachedCancellationScope(() -> {
                cleanup();
                if (cancelled) {
                    records.buildCancelled(request.projectId(), request.hostId(), request.buildId(), series());
                } else {
                    records.buildFailed(request.projectId(), request.hostId(), request.buildId(), error, series());
                }
            }).run();
            if (cancelled) {
                finish(GoldenBuildStatus.CANCELLED, "cancelled");
                throw new CanceledFailure("golden build " + request.buildId() + " cancelled");
            }
            return finish(GoldenBuildStatus.FAILED, error);
        }
    }

    private void cleanup() {
        try {
            Workflow.newActivityStub(GoldenHostActivities.class,
                    ActivityCatalog.cleanup(build.hostId(), "stop the build's daemon and remove its dir"))
                    .cancelBuild(build.projectId(), build.buildId());
        } catch (ActivityFailure unreachable) {
            // The host's garbage collection removes build dirs left by crashes.
            Workflow.getLogger(GoldenHostBuildWorkflowImpl.class).warn("golden build {} not cleaned on {}: {}",
                    build.buildId(), build.hostId(), unreachable.getMessage());
        }
    }

    /** The final write series; a host that cannot answer leaves the build without one. */
    private WriteRateSeries series() {
        try {
            return hostCall("read the write rate").writeRate(build.buildId());
        } catch (ActivityFailure unreachable) {
            return null;
        }
    }

    @Override
    public WriteRateSeries writeRate() {
        return hostCall("read the write rate").writeRate(build.buildId());
    }

    @Override
    public void refuseWriteRate() {
        throw new IllegalStateException("the write series of a running golden build is in its GoldenBuild activity's"
                + " heartbeat details; this update only replays old histories");
    }

    private GoldenHostActivities hostCall(String summary) {
        return Workflow.newActivityStub(GoldenHostActivities.class, ActivityCatalog.host(build.hostId(), summary));
    }

    private GoldenBuildStatus finish(GoldenBuildStatus status, String details) {
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet(status.wire()));
        Workflow.setCurrentDetails(status + ": " + details);
        return status;
    }

    /** What failed, with the last line the script printed: usually the line that says why. */
    private static String failureOf(GoldenBuildResult result) {
        String what = result.timedOut() ? "the warm-up script ran past its deadline"
                : result.failure() != null ? result.failure()
                : "the warm-up script exited " + result.exitCode();
        String tail = result.outputTail() == null ? "" : result.outputTail().strip();
        return tail.isEmpty() ? what : what + ": " + lastLine(tail);
    }

    private static String lastLine(String text) {
        int newline = text.lastIndexOf('\n');
        return newline < 0 ? text : text.substring(newline + 1);
    }
}
