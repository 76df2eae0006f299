package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.uber.m3.tally.Scope;
import dev.kiln.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.dropwizard.util.Duration;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

/** Where the Temporal frontend is and which names Kiln uses on it. */
public class TemporalFactory {
    @NotEmpty
    private String target = "127.0.0.1:7233";

    @NotEmpty
    private String namespace = "default";

    /** Overridable so that test runs sharing one dev server do not steal each other's tasks. */
    @NotEmpty
    private String controlTaskQueue = TaskQueues.CONTROL;

    /**
     * How long a REST request retries a Temporal frontend that does not answer before it answers 503
     * {@code temporal_unavailable}: long enough to ride out a restart of a few seconds, short enough to answer within
     * the 30 to 60 s after which clients and proxies give up themselves. The SDK's own default is a minute.
     */
    @NotNull
    private Duration requestRetryTimeout = Duration.seconds(10);

    @JsonProperty
    public Duration getRequestRetryTimeout() {
        return requestRetryTimeout;
    }

    @JsonProperty
    public void setRequestRetryTimeout(Duration requestRetryTimeout) {
        this.requestRetryTimeout = requestRetryTimeout;
    }

    @JsonProperty
    public String getTarget() {
        return target;
    }

    @JsonProperty
    public void setTarget(String target) {
        this.target = target;
    }

    @JsonProperty
    public String getNamespace() {
        return namespace;
    }

    @JsonProperty
    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    @JsonProperty
    public String getControlTaskQueue() {
        return controlTaskQueue;
    }

    @JsonProperty
    public void setControlTaskQueue(String controlTaskQueue) {
        this.controlTaskQueue = controlTaskQueue;
    }

    /** Lazy stubs: kiln-api starts (and reports Temporal unhealthy) even while the Temporal server is down. */
    public WorkflowServiceStubs buildStubs() {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    }

    /** As {@link #buildStubs()}, reporting the SDK's metrics (workers, pollers, latencies) into {@code metricsScope}. */
    public WorkflowServiceStubs buildStubs(Scope metricsScope) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(target)
                .setMetricsScope(metricsScope)
                .build());
    }

    /**
     * As {@link #buildStubs(Scope)}, for the calls REST routes make while a client waits: they give up after
     * {@link #getRequestRetryTimeout()}. The control worker keeps the SDK's patience for its own calls.
     */
    public WorkflowServiceStubs buildRequestStubs(Scope metricsScope) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(target)
                .setMetricsScope(metricsScope)
                .setRpcRetryOptions(RpcRetryOptions.newBuilder()
                        .setExpiration(java.time.Duration.ofMillis(requestRetryTimeout.toMilliseconds()))
                        .validateBuildWithDefaults())
                .build());
    }

    public WorkflowClient buildClient(WorkflowServiceStubs stubs, String identity) {
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
                .setNamespace(namespace)
                .setIdentity(identity)
                .build());
    }
}
