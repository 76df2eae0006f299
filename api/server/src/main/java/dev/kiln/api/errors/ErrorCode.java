package dev.kiln.api.errors;

import java.util.Locale;

/**
 * Every error code the API answers with, each with the one status it goes with, so a throw site names what went wrong
 * and never picks a status. The code on the wire is the constant in lower case ({@code TEMPLATE_NAME_TAKEN} is
 * {@code template_name_taken}); {@code OpenApiContractTest} checks that openapi.yaml lists each of them.
 */
public enum ErrorCode {
    INVALID_REQUEST(400),
    INVALID_JSON(400),
    INVALID_RECIPE(400),
    INVALID_ARCHIVE(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    TEAM_NOT_FOUND(404),
    TEMPLATE_NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    TEMPLATE_NAME_TAKEN(409),
    NAME_RESERVED(409),
    PROJECT_ID_TAKEN(409),
    INVALID_STATE(409),
    HAS_ACTIVE_SANDBOXES(409),
    SESSION_COPY_RUNNING(409),
    NO_ONLINE_HOSTS(409),
    BUILDING(409),
    NOT_BUILDING(409),
    BUILD_FINISHED(409),
    REVOKED(409),
    ARCHIVE_TOO_LARGE(413),
    REQUEST_TOO_LARGE(413),
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    HEADERS_TOO_LARGE(431),
    INTERNAL_ERROR(500),
    AGENT_ERROR(502),
    SANDBOX_FAILED(502),
    HOST_UNAVAILABLE(503),
    NO_CAPACITY(503),
    TEMPORAL_UNAVAILABLE(503),
    DATABASE_UNAVAILABLE(503),
    CLEAR_PENDING(504),
    SNAPSHOT_PENDING(504);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The spelling in the body's {@code code} field. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The code for an error that Jetty or Jersey answered by status alone (a bad URI, an unknown route, a header
     * too large): the one code of that status which says no more than the status does.
     */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> REQUEST_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 431 -> HEADERS_TOO_LARGE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
