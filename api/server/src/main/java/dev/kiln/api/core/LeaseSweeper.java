package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.control.HeartbeatPace;
import dev.kiln.db.HostLeaseDao;
import dev.kiln.workflows.SearchAttributeKeys;
import dev.kiln.workflows.host.LeaseSweeperWorkflow;
import io.dropwizard.lifecycle.Managed;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At kiln-api's start: grants every host a lease timeout's grace (while this process was down they could not
 * renew) and makes sure the one sweeper of this control queue runs. Every replica does both; the sweeper's fixed id
 * means one runs, and the grace only ever extends.
 */
public final class LeaseSweeper implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseSweeper.class);

    private final WorkflowClient temporal;
    private final String controlTaskQueue;
    private final Jdbi jdbi;
    private final HeartbeatPace pace;
    private final Duration sweepInterval;
    private final Clock clock;

    public LeaseSweeper(WorkflowClient temporal, String controlTaskQueue, Jdbi jdbi, HeartbeatPace pace,
            Duration sweepInterval, Clock clock) {
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.pace = requireNonNull(pace, "pace is null");
        this.sweepInterval = requireNonNull(sweepInterval, "sweepInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void start() {
        jdbi.onDemand(HostLeaseDao.class).extendGrace(clock.instant().plus(pace.grace()));
        LeaseSweeperWorkflow sweeper = temporal.newWorkflowStub(LeaseSweeperWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(LeaseSweeperWorkflow.workflowId(controlTaskQueue))
                .setTaskQueue(controlTaskQueue)
                // A sweeper that ended (terminated from the UI) is started again by the next kiln-api start.
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setStaticSummary("Expires host leases not renewed in time, every " + sweepInterval)
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchAttributeKeys.KIND, "lease-sweeper").build())
                .build());
        try {
            WorkflowClient.start(sweeper::run, sweepInterval.toMillis());
            LOG.info("started the lease sweeper {}", LeaseSweeperWorkflow.workflowId(controlTaskQueue));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("the lease sweeper already runs");
        } catch (RuntimeException e) {
            // Leases then only expire once a later start succeeds; the API itself must not fail for it.
            LOG.warn("could not start the lease sweeper: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        // The sweeper lives in Temporal and is carried on by whichever replica's worker polls.
    }
}
