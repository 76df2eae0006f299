package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One command for {@link ContainerExec}. {@code name} marks its process so that a kill can find it: unique per
 * build and step ({@code <build>/<step>}), so that a retried attempt finds what the attempt before it left.
 * {@code user} null means the container's default user; a zero {@code timeout} means none. {@code env} entries
 * ({@code KEY=value}) are added to the container's environment; {@code workdir} null means the container's.
 */
public record ExecRequest(
        String containerId, String name, String command, String user, Duration timeout, List<String> env,
        String workdir) {

    public ExecRequest {
        requireNonNull(containerId, "containerId is null");
        requireNonNull(name, "name is null");
        requireNonNull(command, "command is null");
        requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        env = env == null ? List.of() : List.copyOf(env);
    }

    /** In the container's environment and working directory. */
    public ExecRequest(String containerId, String name, String command, String user, Duration timeout) {
        this(containerId, name, command, user, timeout, List.of(), null);
    }

    /** As root: build steps wrap themselves in {@code su} when they run as another user. */
    static ExecRequest asRoot(String containerId, String name, String command, Duration timeout) {
        return new ExecRequest(containerId, name, command, "0", timeout);
    }
}
