package dev.kiln.api.core;

import io.temporal.failure.ApplicationFailure;

/** Finds the typed failure an activity or workflow raised, under the client's and the SDK's wrappers. */
final class ApplicationFailures {
    private ApplicationFailures() {}

    /** The deepest {@link ApplicationFailure} with a type in the cause chain, or null. */
    static ApplicationFailure find(Throwable thrown) {
        ApplicationFailure found = null;
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApplicationFailure application && application.getType() != null) {
                found = application;
            }
        }
        return found;
    }
}
