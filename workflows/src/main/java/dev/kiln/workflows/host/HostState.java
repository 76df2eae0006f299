package dev.kiln.workflows.host;

import dev.kiln.model.HostStatus;

/**
 * Payload: what a host workflow carries across continue-as-new. {@code status} is the monitor's view (pending,
 * online or unreachable); draining is an API-side flag the monitor leaves alone. {@code leaseGeneration} is the
 * newest lease event applied (0 in runs from before leases). The heartbeat fields are those runs' only.
 */
public record HostState(
        String hostId, HostStatus status, long lastHeartbeatEpochMs, long heartbeatTimeoutMs, long heartbeatsSeen,
        long leaseGeneration) {

    /** A host not yet heard from: its first lease renewal brings it online. */
    public static HostState pending(String hostId) {
        return new HostState(hostId, HostStatus.PENDING, 0, 0, 0, 0);
    }

    public HostState withStatus(HostStatus next) {
        return new HostState(hostId, next, lastHeartbeatEpochMs, heartbeatTimeoutMs, heartbeatsSeen, leaseGeneration);
    }

    public HostState withHeartbeats(long latestEpochMs, int count) {
        return new HostState(hostId, status, latestEpochMs, heartbeatTimeoutMs, heartbeatsSeen + count,
                leaseGeneration);
    }

    public HostState withLease(long generation, long atEpochMs) {
        return new HostState(hostId, status, Math.max(lastHeartbeatEpochMs, atEpochMs), heartbeatTimeoutMs,
                heartbeatsSeen, Math.max(leaseGeneration, generation));
    }
}
