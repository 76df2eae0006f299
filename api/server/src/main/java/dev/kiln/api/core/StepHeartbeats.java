package dev.kiln.api.core;

import dev.kiln.workflows.sandbox.StepProgress;
import java.util.Optional;

/** Where live progress of a build's running step comes from: {@link PendingActivityHeartbeats#runningStep}. */
@FunctionalInterface
public interface StepHeartbeats {
    /** The latest heartbeat of the build's running step; empty when there is none or it can't be read. */
    Optional<StepProgress> latest(String buildId);
}
