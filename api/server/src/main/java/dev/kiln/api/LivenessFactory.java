package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.api.control.HeartbeatPace;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * How hosts' liveness is kept (issue #15): heartbeats renew leases, the fleet's size sets their pace, and a sweeper
 * expires the ones not renewed in time. See {@link HeartbeatPace}.
 */
public class LivenessFactory {
    /** How often a small fleet beats: the floor of the interval the heartbeat replies set. */
    @NotNull
    private Duration interval = Duration.seconds(30);

    /** How often the largest fleet beats at least. */
    @NotNull
    private Duration maxInterval = Duration.minutes(2);

    /** The shortest a lease lasts; it lasts three intervals when that is longer. A host silent longer is lost. */
    @NotNull
    private Duration timeout = Duration.seconds(90);

    /** The fleet's heartbeats per second this aims at: a larger fleet beats less often rather than more. */
    @Positive
    private double targetRate = 500;

    /** How often the sweeper looks for expired leases: a lost host is noticed within timeout plus this. */
    @NotNull
    private Duration sweepInterval = Duration.seconds(5);

    /** How often an online host is reconciled although nothing said its containers changed. */
    @NotNull
    private Duration reconcileEvery = Duration.minutes(15);

    public HeartbeatPace buildPace(LongSupplier fleetSize, Clock clock) {
        return new HeartbeatPace(java(interval), java(maxInterval), java(timeout), targetRate, fleetSize, clock);
    }

    static java.time.Duration java(Duration duration) {
        return java.time.Duration.ofMillis(duration.toMilliseconds());
    }

    @JsonProperty
    public Duration getInterval() {
        return interval;
    }

    @JsonProperty
    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    @JsonProperty
    public Duration getMaxInterval() {
        return maxInterval;
    }

    @JsonProperty
    public void setMaxInterval(Duration maxInterval) {
        this.maxInterval = maxInterval;
    }

    @JsonProperty
    public Duration getTimeout() {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @JsonProperty
    public double getTargetRate() {
        return targetRate;
    }

    @JsonProperty
    public void setTargetRate(double targetRate) {
        this.targetRate = targetRate;
    }

    @JsonProperty
    public Duration getSweepInterval() {
        return sweepInterval;
    }

    @JsonProperty
    public void setSweepInterval(Duration sweepInterval) {
        this.sweepInterval = sweepInterval;
    }

    @JsonProperty
    public Duration getReconcileEvery() {
        return reconcileEvery;
    }

    @JsonProperty
    public void setReconcileEvery(Duration reconcileEvery) {
        this.reconcileEvery = reconcileEvery;
    }
}
