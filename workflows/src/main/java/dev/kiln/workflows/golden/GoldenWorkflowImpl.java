package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.PROJECT;
import static dev.kiln.workflows.SearchAttributeKeys.STATUS;
import static dev.kiln.workflows.SearchAttributeKeys.TEAM;

import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.workflows.ActivityCatalog;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

public final class GoldenWorkflowImpl implements GoldenWorkflow {
    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    private boolean queued;
    private boolean building;
    private boolean cancelRequested;
    private String cancelledBy;

    @Override
    public void run(GoldenInput input) {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("golden"), PROJECT.valueSet(input.projectId()),
                TEAM.valueSet(input.teamId()));
        Workflow.await(() -> queued || cancelRequested);
        while (queued) {
            queued = false;
            cancelRequested = false;
            building = true;
            Workflow.upsertTypedSearchAttributes(STATUS.valueSet(GoldenRound.BUILDING.wire()));
            round(input);
            building = false;
        }
        Workflow.upsertTypedSearchAttributes(STATUS.valueSet((cancelledBy == null ? GoldenRound.IDLE : GoldenRound.CANCELLED).wire()));
    }

    private void round(GoldenInput input) {
        GoldenPlan plan = records.planBuilds(input.projectId(), "golden-build-" + input.projectId());
        Workflow.setCurrentDetails("building on " + plan.targets().size() + " hosts");
        List<Promise<GoldenBuildStatus>> results = new ArrayList<>();
        CancellationScope builds = Workflow.newCancellationScope(() -> {
            for (GoldenTarget target : plan.targets()) {
                GoldenHostBuildWorkflow child = Workflow.newChildWorkflowStub(GoldenHostBuildWorkflow.class,
                        ChildWorkflowOptions.newBuilder()
                                .setWorkflowId(GoldenHostBuildWorkflow.workflowId(input.projectId(), target.hostId(),
                                        target.n()))
                                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                                .setStaticSummary("Golden build of " + input.projectId() + " on " + target.hostId())
                                .setStaticDetails("**Project** `" + input.projectId() + "` of `" + input.teamId()
                                        + "`  \n**Host** `" + target.hostId() + "`  \n**Build** `" + target.buildId()
                                        + "` (#" + target.n() + " on this host)  \n**Starts from** "
                                        + (target.incremental() ? "a copy of the current golden" : "an empty data dir")
                                        + "  \n**Deadline** " + input.deadlineSeconds() / 60 + " min end to end")
                                .build());
                results.add(Async.function(child::run, new GoldenHostBuild(input.projectId(), input.teamId(),
                        target.hostId(), target.buildId(), plan.warmupScript(), input.deadlineSeconds(),
                        target.incremental())));
            }
        });
        builds.run();
        Workflow.await(() -> cancelRequested || results.stream().allMatch(Promise::isCompleted));
        if (cancelRequested) {
            Workflow.setCurrentDetails("cancelled by " + cancelledBy + "; stopping the hosts' builds");
            builds.cancel();
        }
        for (Promise<GoldenBuildStatus> result : results) {
            try {
                result.get();
            } catch (ChildWorkflowFailure failedOrCancelled) {
                // Each host build records its own outcome; one host's failure is not the round's.
            }
        }
        Workflow.setCurrentDetails(queued ? "round done; another queued" : "round done");
    }

    @Override
    public void trigger(String by) {
        queued = true;
    }

    @Override
    public void cancel(String by) {
        cancelRequested = true;
        cancelledBy = by;
        queued = false;
    }

    @Override
    public GoldenRound state() {
        if (!building) {
            return GoldenRound.IDLE;
        }
        return queued ? GoldenRound.QUEUED : GoldenRound.BUILDING;
    }
}
