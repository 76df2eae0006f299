package dev.kiln.workflows.host;

import dev.kiln.model.HostStatus;

/**
 * Payload: what a host workflow carries across continue-as-new. {@code status} is the monitor's view
 * ({@code online} or {@code unreachable}); draining is an API-side flag the monitor leaves alone.
 */
public record HostState(
        String hostId, HostStatus status, long lastHeartbeatEpochMs, long heartbeatTimeoutMs, long heartbeatsSeen) {

    public HostState withStatus(HostStatus next) {
        return new HostState(hostId, next, lastHeartbeatEpochMs, heartbeatTimeoutMs, heartbeatsSeen);
    }

    public HostState withHeartbeats(long latestEpochMs, int count) {
        return new HostState(hostId, status, latestEpochMs, heartbeatTimeoutMs, heartbeatsSeen + count);
    }
}
