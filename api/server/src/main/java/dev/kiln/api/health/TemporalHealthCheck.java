package dev.kiln.api.health;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.health.HealthCheck;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;

public final class TemporalHealthCheck extends HealthCheck {
    private final WorkflowServiceStubs stubs;

    public TemporalHealthCheck(WorkflowServiceStubs stubs) {
        this.stubs = requireNonNull(stubs, "stubs is null");
    }

    @Override
    protected Result check() {
        HealthCheckResponse response = stubs.healthCheck();
        return response.getStatus() == HealthCheckResponse.ServingStatus.SERVING
                ? Result.healthy()
                : Result.unhealthy("Temporal frontend reports " + response.getStatus());
    }
}
