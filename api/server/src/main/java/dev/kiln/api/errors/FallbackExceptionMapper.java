package dev.kiln.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Anything unexpected: a 500 whose body quotes an id that finds the stack trace in the log, never the trace itself. */
public final class FallbackExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackExceptionMapper.class);

    @Override
    public Response toResponse(Throwable exception) {
        return internalError(exception);
    }

    static Response internalError(Throwable exception) {
        String errorId = UUID.randomUUID().toString();
        LOG.error("500 internal error {}", errorId, exception);
        return ErrorBodies.response(500, "internal_error", "internal error " + errorId, Map.of("error_id", errorId));
    }
}
