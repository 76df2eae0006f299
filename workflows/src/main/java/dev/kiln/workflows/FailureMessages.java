package dev.kiln.workflows;

import io.temporal.failure.ApplicationFailure;

/** What workflows record as the reason something failed: the innermost cause's own words. */
public final class FailureMessages {
    private FailureMessages() {}

    /**
     * The message of the deepest cause. An {@link ApplicationFailure}'s {@code getMessage} wraps its text in
     * {@code message='...', type='...'}; the row and the UI want the text the activity threw with.
     */
    public static String root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root instanceof ApplicationFailure application ? application.getOriginalMessage() : root.getMessage();
    }
}
