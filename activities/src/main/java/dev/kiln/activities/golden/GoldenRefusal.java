package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.FailureType;

/**
 * A golden operation refused because the cache is not in the state it needs. Thrown by the plain golden classes,
 * which know nothing of Temporal; {@link GoldenHostActivitiesImpl} reports it as an {@code ApplicationFailure} of
 * {@link #type()}, which is what the workflows branch on.
 */
public final class GoldenRefusal extends RuntimeException {
    private final FailureType type;
    private final boolean retryable;

    private GoldenRefusal(FailureType type, boolean retryable, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.type = requireNonNull(type, "type is null");
        this.retryable = retryable;
    }

    /** The cache is busy with something that must finish first: a purge before promote, a copy before clear. */
    static GoldenRefusal conflict(String message) {
        return new GoldenRefusal(FailureType.GOLDEN_CONFLICT, false, message, null);
    }

    /**
     * Another attempt of the same build still runs in this worker (its heartbeat timed out, say). Marked retryable,
     * as it always was: that attempt ends, after which a retry can start clean.
     */
    static GoldenRefusal alreadyRunning(String message) {
        return new GoldenRefusal(FailureType.GOLDEN_CONFLICT, true, message, null);
    }

    static GoldenRefusal notFound(String message) {
        return new GoldenRefusal(FailureType.NOT_FOUND, false, message, null);
    }

    static GoldenRefusal imageNotFound(String message, Throwable cause) {
        return new GoldenRefusal(FailureType.IMAGE_NOT_FOUND, false, message, requireNonNull(cause, "cause is null"));
    }

    public FailureType type() {
        return type;
    }

    public boolean retryable() {
        return retryable;
    }
}
