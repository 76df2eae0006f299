package dev.kiln.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;

/**
 * Anything no other mapper claims: a 503 when it says PostgreSQL or Temporal is down, otherwise a 500 whose body
 * quotes the id of its stack trace in the log, never the trace itself.
 */
public final class FallbackExceptionMapper implements ExceptionMapper<Throwable> {

    @Override
    public Response toResponse(Throwable exception) {
        return Outages.of(exception)
                .map(code -> ErrorBodies.response(code, outageMessage(code), Map.of(), exception))
                .orElseGet(() -> ErrorBodies.response(ErrorCode.INTERNAL_ERROR, "internal error", Map.of(), exception));
    }

    private static String outageMessage(ErrorCode code) {
        return code == ErrorCode.DATABASE_UNAVAILABLE
                ? "the database is unavailable; try again later"
                : "the workflow service is unavailable; try again later";
    }
}
