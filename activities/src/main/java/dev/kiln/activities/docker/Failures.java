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
