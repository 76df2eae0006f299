package dev.kiln.workflows;

import java.util.EnumSet;
import java.util.Set;

/**
 * Names carried by {@code ApplicationFailure.getType()}: across the activity boundary, where workflows branch on
 * these names (never on messages), and on the failures workflows end with, which the API maps to its error codes.
 */
public enum FailureType {
    /** A recipe step ran and exited non-zero or timed out: rerunning it would do the same. */
    STEP_FAILED,
    /**
     * A step scheduled ahead did not run: the step it follows failed on the host, or is not on it (kiln-host
     * restarted in between). The workflow runs it again once that step has succeeded; nothing of it ran.
     */
    STEP_OUT_OF_TURN,
    /** The base image is not on the host and cannot be made there. */
    IMAGE_NOT_FOUND,
    /** Another template took the name between submit and publish. */
    TEMPLATE_NAME_TAKEN,
    /** No online host has room for the work; retryable, since hosts come online and work finishes. */
    NO_CAPACITY,
    /** The row the activity should update is gone (deleted build, host). */
    NOT_FOUND,
    /** The Docker engine refused the request as malformed; retrying cannot help. */
    DOCKER_REJECTED,
    /** The uploaded archive is unreadable or has entries escaping the extraction root. */
    ARCHIVE_INVALID,
    /** The sandbox is not in a state the operation needs (a snapshot of a stopped or already held sandbox). */
    INVALID_STATE,
    /** The build sandbox disappeared (removed or its host's engine restarted) mid-build. */
    SANDBOX_GONE,
    /** A user sandbox is paused and cannot run commands until it is resumed. */
    SANDBOX_PAUSED,
    /** A golden cache or its staging copy is not in the state the call needs: promote before purge, clear during a copy. */
    GOLDEN_CONFLICT,
    /** A build ran past its deadline; its scope was cancelled so that cleanup still ran. Ends a build workflow. */
    DEADLINE_EXCEEDED,
    /** The healthcheck never passed within its retries. Ends a build workflow. */
    HEALTHCHECK_FAILED;

    /** Failures that no retry can fix; activity options list them as non-retryable. */
    public static final Set<FailureType> NON_RETRYABLE = EnumSet.complementOf(EnumSet.of(NO_CAPACITY));

    public static String[] nonRetryableNames() {
        return NON_RETRYABLE.stream().map(Enum::name).toArray(String[]::new);
    }
}
