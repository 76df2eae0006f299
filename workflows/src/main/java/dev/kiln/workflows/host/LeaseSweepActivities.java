package dev.kiln.workflows.host;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The sweeper's one step, on the control queue. */
@ActivityInterface
public interface LeaseSweepActivities {

    /**
     * Expires the leases past their expiry and signals {@code LeaseExpired} to each of those hosts' workflows;
     * returns how many. Expires nothing when the sweeper's own view is stale (it has not run for a while) or in the
     * grace after kiln-api started. Safe to repeat: an expired lease is not expired again.
     */
    @ActivityMethod(name = "SweepLeases")
    int sweep();
}
