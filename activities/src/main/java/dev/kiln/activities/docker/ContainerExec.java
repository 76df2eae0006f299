package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.workflows.sandbox.StepProgress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one command in a running container with docker exec, keeping the tail of its output, and kills it
 * on timeout or when the heartbeat callback throws. Free of Temporal so that it can be tested on its own.
 *
 * <p>Docker has no API to kill an exec. Every exec runs as the leader of a session of its own (runc calls
 * setsid), so the command runs under a wrapper shell that carries a marker naming it among its
 * arguments and stays alive until the command ends; killing means a second exec, as root, that finds the wrapper
 * by that marker in {@code /proc/<pid>/cmdline} and signals every process in its session, TERM first and KILL
 * after a grace period, until none is left. Killing by session rather than by process tree also catches
 * children that were re-parented or moved to another process group; a process that starts a session of its
 * own (a daemon) escapes, as it would escape docker exec's own bookkeeping.
 */
public final class ContainerExec {

    static final int TAIL_BYTES = 8 * 1024;

    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Between inspections once the output has ended but docker does not yet report the exit code. */
    private static final long EXIT_POLL_MILLIS = 50;
    /** How long to let the stream deliver the last frames of a process that has exited or was killed. */
    private static final long DRAIN_SECONDS = 5;
    /** The kill script signals for at most ten seconds; this leaves room for docker itself. */
    private static final long KILL_TIMEOUT_SECONDS = 30;

    /**
     * {@code $0} is the marker, {@code $1} the command. The outer shell must not exec the inner one,
     * or the marker would leave the process table: {@code exit $?} after it keeps the outer shell waiting.
     */
    private static final String WRAPPER = "/bin/sh -c \"$1\"; exit $?";

    /**
     * Finds sessions whose leader carries the marker as a whole argument, then signals their members until
     * none is left: TERM for two seconds, then KILL. The marker arrives in two arguments so that this script,
     * and another kill of the same command running at once, never match it themselves. Zombies are skipped, since
     * only their parent can reap them. Exits 1 if something survives ten seconds. Needs only a POSIX sh, tr and
     * a sleep that takes fractions (GNU and busybox both do), which any base image able to run steps has.
     */
    private static final String KILL_SCRIPT = """
            marker=$1$2
            sessions=
            for dir in /proc/[0-9]*; do
              case " $(tr '\\0' ' ' 2>/dev/null < "$dir/cmdline") " in
                *" $marker "*) sessions="$sessions ${dir#/proc/}" ;;
              esac
            done
            [ -n "$sessions" ] || exit 0
            members() {
              for dir in /proc/[0-9]*; do
                read -r stat 2>/dev/null < "$dir/stat" || continue
                set -- ${stat##*) }
                [ "$1" = Z ] && continue
                case " $sessions " in *" $4 "*) echo "${dir#/proc/}" ;; esac
              done
            }
            round=0
            while [ $round -lt 100 ]; do
              pids=$(members)
              [ -n "$pids" ] || exit 0
              signal=TERM
              [ $round -ge 20 ] && signal=KILL
              kill -s $signal $pids 2>/dev/null
              round=$((round + 1))
              sleep 0.1
            done
            echo "still running after SIGKILL:" $pids >&2
            exit 1
            """;

    private static final String MARKER_PREFIX = "kiln-step/";

    private final DockerClient docker;
    private final int tailBytes;

    public ContainerExec(DockerClient docker) {
        this(docker, TAIL_BYTES);
    }

    /** @param tailBytes how much of each stream's end a result keeps */
    public ContainerExec(DockerClient docker, int tailBytes) {
        this.docker = requireNonNull(docker, "docker is null");
        if (tailBytes <= 0) {
            throw new IllegalArgumentException("tailBytes must be positive, was " + tailBytes);
        }
        this.tailBytes = tailBytes;
    }

    /**
     * Runs the command to completion. {@code heartbeat} is called about once a second; if it throws, the command
     * is killed and the exception rethrown. A non-zero exit or a timeout is a result, not an exception.
     */
    public ExecResult run(ExecRequest request, Consumer<StepProgress> heartbeat) {
        return run(request, 0, heartbeat);
    }

    /**
     * As {@link #run(ExecRequest, Consumer)}, with the last {@code heartbeatTailBytes} of each stream in every
     * heartbeat (none when 0), for a caller that shows the output while the command runs.
     */
    public ExecResult run(ExecRequest request, int heartbeatTailBytes, Consumer<StepProgress> heartbeat) {
        requireNonNull(request, "request is null");
        requireNonNull(heartbeat, "heartbeat is null");
        if (heartbeatTailBytes < 0) {
            throw new IllegalArgumentException("heartbeatTailBytes must not be negative, was " + heartbeatTailBytes);
        }
        long started = System.nanoTime();
        ExecCreateCmd create = docker.execCreateCmd(request.containerId())
                .withCmd("/bin/sh", "-c", WRAPPER, marker(request), request.command())
                .withAttachStdout(true)
                .withAttachStderr(true);
        if (request.user() != null) {
            create.withUser(request.user());
        }
        if (!request.env().isEmpty()) {
            create.withEnv(request.env());
        }
        if (request.workdir() != null) {
            create.withWorkingDir(request.workdir());
        }
        String execId = create.exec().getId();
        ExecOutput output = docker.execStartCmd(execId).withDetach(false).exec(new ExecOutput(tailBytes));
        try {
            return await(request, execId, output, started, heartbeatTailBytes, heartbeat);
        } catch (RuntimeException e) {
            killAfterFailure(request, e);
            throw e;
        } catch (InterruptedException e) {
            // Kill before restoring the flag: docker-java's socket channel refuses I/O on an interrupted thread.
            killAfterFailure(request, e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + request.name(), e);
        } finally {
            output.close();
        }
    }

    /**
     * Kills what is left of the command {@code name} in the container, if anything: a retried attempt calls this
     * first, since the attempt before it may have lost its worker while the command kept running.
     */
    public void kill(String containerId, String name) {
        requireNonNull(containerId, "containerId is null");
        requireNonNull(name, "name is null");
        String execId;
        try {
            execId = docker.execCreateCmd(containerId)
                    .withUser("0")
                    .withCmd("/bin/sh", "-c", KILL_SCRIPT, "kiln-kill", MARKER_PREFIX, name)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
        } catch (NotFoundException | ConflictException e) {
            // The container is gone or stopped: nothing of the command can be running.
            return;
        }
        ExecOutput output = docker.execStartCmd(execId).withDetach(false).exec(new ExecOutput(TAIL_BYTES));
        try {
            if (!output.awaitEnd(KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("killing " + name + " in container " + containerId
                        + " did not finish within " + KILL_TIMEOUT_SECONDS + "s");
            }
            Long exitCode = awaitExitCode(execId);
            if (exitCode == null || exitCode != 0) {
                throw new IllegalStateException("could not kill " + name + " in container " + containerId
                        + " (exit " + exitCode + "): " + output.stderr().text().strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        } finally {
            output.close();
        }
    }

    private ExecResult await(ExecRequest request, String execId, ExecOutput output, long started,
            int heartbeatTailBytes, Consumer<StepProgress> heartbeat) throws InterruptedException {
        Duration timeout = request.timeout();
        long timeoutNanos = timeout.isZero() ? Long.MAX_VALUE : timeout.toNanos();
        while (true) {
            long elapsed = System.nanoTime() - started;
            pause(output, Math.min(POLL_NANOS, timeoutNanos - elapsed));
            Long exitCode = exitCode(execId);
            if (exitCode != null) {
                output.awaitEnd(DRAIN_SECONDS, TimeUnit.SECONDS);
                return result(exitCode.intValue(), output, started, false);
            }
            if (output.failure() != null) {
                throw new IllegalStateException("lost the output of " + request.name(), output.failure());
            }
            if (System.nanoTime() - started >= timeoutNanos) {
                kill(request.containerId(), request.name());
                output.awaitEnd(DRAIN_SECONDS, TimeUnit.SECONDS);
                output.stderr().writeLine("timed out after " + describe(timeout));
                return result(-1, output, started, true);
            }
            heartbeat.accept(heartbeatTailBytes == 0
                    ? new StepProgress(elapsedMillis(started), output.totalBytes())
                    : new StepProgress(elapsedMillis(started), output.totalBytes(),
                            output.stdout().text(heartbeatTailBytes), output.stderr().text(heartbeatTailBytes)));
        }
    }

    /**
     * Wakes early when the output ends, which is usually when the process exits. Once it has ended, the exit
     * code can lag a moment behind, so the pause shortens instead of returning at once in a busy loop.
     */
    private static void pause(ExecOutput output, long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return;
        }
        if (output.ended()) {
            Thread.sleep(Math.min(EXIT_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(nanos)));
            return;
        }
        output.awaitEnd(nanos, TimeUnit.NANOSECONDS);
    }

    /** The exit code once docker reports the process finished, else null. */
    private Long exitCode(String execId) {
        InspectExecResponse state = docker.inspectExecCmd(execId).exec();
        if (Boolean.TRUE.equals(state.isRunning())) {
            return null;
        }
        return state.getExitCodeLong();
    }

    /** For the kill exec, whose stream has ended: docker records its exit code a moment later at most. */
    private Long awaitExitCode(String execId) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            Long exitCode = exitCode(execId);
            if (exitCode != null) {
                return exitCode;
            }
            Thread.sleep(EXIT_POLL_MILLIS);
        }
        return null;
    }

    private void killAfterFailure(ExecRequest request, Exception failure) {
        try {
            kill(request.containerId(), request.name());
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static ExecResult result(int exitCode, ExecOutput output, long started, boolean timedOut) {
        return new ExecResult(exitCode, output.stdout().text(), output.stderr().text(), elapsedMillis(started),
                timedOut, output.stdout().totalBytes(), output.stderr().totalBytes());
    }

    /** Whole seconds as users write them in recipes ({@code 30s}); a probe timeout may be finer. */
    static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }

    private static long elapsedMillis(long started) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    static String marker(ExecRequest request) {
        return MARKER_PREFIX + request.name();
    }
}
