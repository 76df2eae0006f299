package dev.kiln.api.errors;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's one error body, {@code {"error":{"code":...,"message":..., ...details}}}, and the one place that logs an
 * error as it is answered: the exception mappers and the Jetty error handler all answer through here.
 */
public final class ErrorBodies {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorBodies.class);

    /**
     * What a 503 asks the client to wait. The dependencies behind one (PostgreSQL, Temporal, a host) come back from a
     * restart or a failover within seconds; retrying sooner only adds load while they do.
     */
    static final String RETRY_AFTER_SECONDS = "5";

    private ErrorBodies() {}

    public static Response response(ErrorCode code, String message) {
        return response(code.status(), code, message, Map.of(), null);
    }

    public static Response response(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        return response(code.status(), code, message, details, cause);
    }

    /** {@code status} differs from the code's own only where Jetty or Jersey chose a status Kiln has no code for. */
    static Response response(int status, ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        Response.ResponseBuilder response = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(status, code, message, details, cause));
        if (status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    /**
     * Logs the error and returns its body. A 4xx is the client's and is logged at WARN; a 5xx is logged at ERROR under
     * an {@code error_id} that the body quotes, so that a client's report finds the log line. Only an internal error
     * logs its stack trace: a dependency that is down fails every request alike, and one line each says enough.
     */
    static Map<String, Object> body(int status, ErrorCode code, String message, Map<String, Object> details,
            Throwable cause) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.code());
        if (status < 500) {
            error.put("message", message);
            error.putAll(details);
            LOG.warn("{} {}: {}", status, code.code(), message);
            return Map.of("error", error);
        }
        String errorId = UUID.randomUUID().toString();
        error.put("message", message + " (error_id " + errorId + ")");
        error.putAll(details);
        error.put("error_id", errorId);
        if (code == ErrorCode.INTERNAL_ERROR) {
            LOG.error("{} {} {}: {}", status, code.code(), errorId, message, cause);
        } else {
            LOG.error("{} {} {}: {}{}", status, code.code(), errorId, message, cause == null ? "" : " (" + cause + ")");
        }
        return Map.of("error", error);
    }
}
