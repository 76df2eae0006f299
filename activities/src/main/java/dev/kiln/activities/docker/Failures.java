package dev.kiln.activities.docker;

import com.github.dockerjava.api.exception.BadRequestException;
import dev.kiln.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;

/** The non-retryable failures the sandbox activities report, by {@link FailureType}. */
final class Failures {

    private Failures() {}

    static ApplicationFailure sandboxGone(String containerId, RuntimeException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "build sandbox " + containerId + " is gone or no longer running", FailureType.SANDBOX_GONE.name(),
                cause);
    }

    /** A build step failed because the sandbox it ran in died: the build reruns from scratch where it can. */
    static ApplicationFailure sandboxDied(String containerId, int step, String what, RuntimeException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "build sandbox " + containerId + " died during step " + step + ": " + what,
                FailureType.SANDBOX_GONE.name(), cause);
    }

    /** A user sandbox: {@code state} says what became of it ("gone", "exited"). */
    static ApplicationFailure sandboxGone(String sandboxId, String state, RuntimeException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "sandbox " + sandboxId + " is " + state, FailureType.SANDBOX_GONE.name(), cause);
    }

    static ApplicationFailure sandboxPaused(String sandboxId, RuntimeException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "sandbox " + sandboxId + " is paused: resume it first", FailureType.SANDBOX_PAUSED.name(), cause);
    }

    /** Sandboxes never pull, so retrying cannot help. */
    static ApplicationFailure imageNotFound(String imageRef, RuntimeException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "image " + imageRef + " is not on this host", FailureType.IMAGE_NOT_FOUND.name(), cause);
    }

    static ApplicationFailure archiveInvalid(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, FailureType.ARCHIVE_INVALID.name());
    }

    static ApplicationFailure archiveInvalid(String message, Throwable cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(message, FailureType.ARCHIVE_INVALID.name(), cause);
    }

    static ApplicationFailure rejected(String action, BadRequestException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "docker rejected " + action + ": " + cause.getMessage(), FailureType.DOCKER_REJECTED.name(), cause);
    }
}
