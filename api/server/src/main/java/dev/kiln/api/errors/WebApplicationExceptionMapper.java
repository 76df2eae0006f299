package dev.kiln.api.errors;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Jersey's own errors (unknown route, wrong method, wrong media type) in the API's error body. */
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        int status = exception.getResponse().getStatus();
        if (exception instanceof NotFoundException) {
            return ErrorBodies.response(404, "not_found", "no such route");
        }
        if (exception instanceof NotAllowedException) {
            return ErrorBodies.response(405, "method_not_allowed", "method not allowed on this route");
        }
        if (exception instanceof NotSupportedException) {
            return ErrorBodies.response(415, "unsupported_media_type", "unsupported content type");
        }
        if (status >= 500) {
            return FallbackExceptionMapper.internalError(exception);
        }
        String message = exception.getMessage() == null ? "request refused" : exception.getMessage();
        return ErrorBodies.response(status, "invalid_request", message);
    }
}
