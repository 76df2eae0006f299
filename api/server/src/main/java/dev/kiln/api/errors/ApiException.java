package dev.kiln.api.errors;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The one exception resources and services throw for a client-visible failure. {@link ApiExceptionMapper} turns it
 * into {@code {"error":{"code":...,"message":..., ...details}}} with its code's status.
 */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        super(message);
        this.code = requireNonNull(code, "code is null");
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.INVALID_REQUEST, message);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " " + id + " not found");
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(ErrorCode.UNAUTHORIZED, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message);
    }
}
