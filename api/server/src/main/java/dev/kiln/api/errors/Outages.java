package dev.kiln.api.errors;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.ConnectionException;

/**
 * Tells a dependency that is down from a bug, in whatever exception reaches the mappers, so that every route that
 * needs PostgreSQL or Temporal answers 503 while it is down without a catch of its own.
 */
final class Outages {
    /**
     * SQLSTATEs of a lost or refused connection: class 08 (connection exception) and PostgreSQL's 57P01..57P03, which
     * it sends while shutting down, after a crash, and while starting up or recovering.
     */
    private static final Set<String> SERVER_GONE_STATES = Set.of("57P01", "57P02", "57P03");
    /**
     * What the Temporal client throws once its own retries gave up: the frontend refused or dropped the connection, or
     * did not answer within the call's deadline.
     */
    private static final Set<Status.Code> TEMPORAL_DOWN = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
    /** Deep enough for JDBI's and the Temporal SDK's wrapping; a bound, since a cause chain may loop. */
    private static final int MAX_CAUSES = 16;

    private Outages() {}

    static Optional<ErrorCode> of(Throwable exception) {
        Throwable cause = exception;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            // JDBI wraps every failure to get a connection, whatever the pool or driver said.
            if (cause instanceof ConnectionException) {
                return Optional.of(ErrorCode.DATABASE_UNAVAILABLE);
            }
            if (cause instanceof SQLException sql && isServerGone(sql.getSQLState())) {
                return Optional.of(ErrorCode.DATABASE_UNAVAILABLE);
            }
            if (cause instanceof StatusRuntimeException grpc && TEMPORAL_DOWN.contains(grpc.getStatus().getCode())) {
                return Optional.of(ErrorCode.TEMPORAL_UNAVAILABLE);
            }
        }
        return Optional.empty();
    }

    private static boolean isServerGone(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || SERVER_GONE_STATES.contains(sqlState));
    }
}
