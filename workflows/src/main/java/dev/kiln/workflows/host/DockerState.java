package dev.kiln.workflows.host;

import dev.kiln.model.SandboxStatus;
import java.util.Locale;
import java.util.Optional;

/**
 * A container's state as Docker spells it ({@code State.Status}, the {@code status} filter of a container list).
 * Hosts compare and report Docker's own words; this is where they meet Kiln's sandbox statuses.
 */
public enum DockerState {
    CREATED,
    RESTARTING,
    RUNNING,
    REMOVING,
    PAUSED,
    EXITED,
    DEAD;

    /** Docker's spelling, for filters and comparisons with docker-java's string fields. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean is(String dockerState) {
        return spelling().equals(dockerState);
    }

    /** Empty for a state this Docker version may add later. */
    public static Optional<DockerState> of(String dockerState) {
        for (DockerState state : values()) {
            if (state.is(dockerState)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    /**
     * What a sandbox whose container is in {@code dockerState} is: a restarting container still has its processes'
     * filesystem and comes back running; anything else that is not running or paused has stopped for good.
     */
    public static SandboxStatus sandboxStatus(String dockerState) {
        return switch (of(dockerState).orElse(DEAD)) {
            case RUNNING, RESTARTING -> SandboxStatus.RUNNING;
            case PAUSED -> SandboxStatus.PAUSED;
            case CREATED, REMOVING, EXITED, DEAD -> SandboxStatus.STOPPED;
        };
    }
}
