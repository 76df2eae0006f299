package dev.kiln.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * Anything no other mapper claims: a 503 when it says PostgreSQL or Temporal is down, a 400 when PostgreSQL refused
 * text only a client can have sent, otherwise a 500 whose body quotes the id of its stack trace in the log, never
 * the trace itself.
 */
public final class FallbackExceptionMapper implements ExceptionMapper<Throwable> {
    /**
     * How PostgreSQL refuses a NUL character, which it can neither store nor compare: "character not in repertoire"
     * in text, "untranslatable character" in jsonb. JSON values and keys and query strings can carry one; Kiln never
     * makes one itself.
     */
    private static final Set<String> NUL_IN_TEXT = Set.of("22021", "22P05");
    /** Deep enough for JDBI's wrapping; a bound, since a cause chain may loop. */
    private static final int MAX_CAUSES = 16;

    @Override
    public Response toResponse(Throwable exception) {
        if (hasSqlState(exception, NUL_IN_TEXT)) {
            return ErrorBodies.response(ErrorCode.INVALID_REQUEST, "text in the request may not contain NUL (\\u0000)");
        }
        return Outages.of(exception)
                .map(code -> ErrorBodies.response(code, outageMessage(code), Map.of(), exception))
                .orElseGet(() -> ErrorBodies.response(ErrorCode.INTERNAL_ERROR, "internal error", Map.of(), exception));
    }

    private static boolean hasSqlState(Throwable exception, Set<String> sqlStates) {
        Throwable cause = exception;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sqlStates.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String outageMessage(ErrorCode code) {
        return code == ErrorCode.DATABASE_UNAVAILABLE
                ? "the database is unavailable; try again later"
                : "the workflow service is unavailable; try again later";
    }
}
