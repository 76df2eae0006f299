package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.golden.GoldenGcWorkflow;
import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the daily golden garbage collection is scheduled in Temporal. A schedule, not a timer in some
 * process: it survives restarts, shows in the UI with its next runs, and can be paused or triggered there.
 */
public final class GoldenGcSchedule implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(GoldenGcSchedule.class);
    /** Sessions idle this long lose their data dir, as the issue asks. */
    static final long IDLE_DAYS = 7;

    private final WorkflowClient temporal;
    private final String controlTaskQueue;

    public GoldenGcSchedule(WorkflowClient temporal, String controlTaskQueue) {
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
    }

    /** One schedule per control queue, so that separate deployments on one namespace do not share it. */
    public static String scheduleId(String controlTaskQueue) {
        return GoldenGcWorkflow.SCHEDULE_ID + "-" + controlTaskQueue;
    }

    @Override
    public void start() {
        ScheduleClient schedules = ScheduleClient.newInstance(temporal.getWorkflowServiceStubs(),
                ScheduleClientOptions.newBuilder().setNamespace(temporal.getOptions().getNamespace()).build());
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(GoldenGcWorkflow.class)
                        .setArguments(IDLE_DAYS)
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(scheduleId(controlTaskQueue))
                                .setTaskQueue(controlTaskQueue)
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(Duration.ofDays(1))))
                        .build())
                .build();
        try {
            schedules.createSchedule(scheduleId(controlTaskQueue), schedule, ScheduleOptions.newBuilder().build());
            LOG.info("scheduled golden garbage collection daily as {}", scheduleId(controlTaskQueue));
        } catch (ScheduleAlreadyRunningException alreadyScheduled) {
            LOG.debug("golden garbage collection is already scheduled");
        } catch (RuntimeException e) {
            // Collection can wait for the next start; the API must not fail for it.
            LOG.warn("could not schedule golden garbage collection: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        // The schedule lives in Temporal, beyond this process.
    }
}
