package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.db.HostAuditDao;
import dev.kiln.workflows.host.LeaseSweeperWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two kiln-api replicas on one PostgreSQL and one Temporal (#15): they start at once on an unmigrated database, a host
 * heartbeats to the one it was not registered with, and when the host dies exactly one sweeper marks it unreachable.
 */
class LivenessReplicasIT {
    private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(8);

    @RegisterExtension
    static final KilnApiStack STACK = new KilnApiStack(Map.of("liveness.timeout", "8s"), 2);

    @Test
    void aHostHeartbeatingToTheOtherReplicaIsOnlineAndItsDeathIsRecordedOnce() throws Exception {
        ApiTestClient other = new ApiTestClient(STACK.replicaPort(1));
        HostProcess host = HostProcess.registerAndStart(STACK, STACK.replicaPort(1));
        try {
            assertThat(other.get("/v1/hosts/" + host.hostId(), STACK.adminKey).body().path("status").asText())
                    .isEqualTo("online");

            host.kill();
            Await.until(LEASE_TIMEOUT.plusSeconds(20),
                    () -> STACK.client().get("/v1/hosts/" + host.hostId(), STACK.adminKey).body().path("status").asText(),
                    "unreachable"::equals, "the dead host to read unreachable on both replicas");
            assertThat(other.get("/v1/hosts/" + host.hostId(), STACK.adminKey).body().path("status").asText())
                    .isEqualTo("unreachable");
            // Two more sweep periods and a lease timeout: a second sweeper, had one run, would have acted by now.
            Thread.sleep(LEASE_TIMEOUT.plusSeconds(2).toMillis());
            assertThat(STACK.database().jdbi().onDemand(HostAuditDao.class).events(host.hostId()))
                    .filteredOn("marked_down"::equals).hasSize(1);
            assertThat(runningSweepers()).isEqualTo(1);
        } finally {
            host.close();
        }
    }

    private static long runningSweepers() {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(STACK.configuration().getTemporal().getTarget()).build());
        try {
            return WorkflowClient.newInstance(stubs).listExecutions("WorkflowId = '"
                    + LeaseSweeperWorkflow.workflowId(STACK.controlTaskQueue) + "' AND ExecutionStatus = 'Running'")
                    .count();
        } finally {
            stubs.shutdown();
        }
    }
}
