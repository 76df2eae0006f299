package dev.kiln.api.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;

/** Jersey's own errors (unknown route, wrong method, wrong media type) in the API's error body. */
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response refused = exception.getResponse();
        int status = refused.getStatus();
        ErrorCode code = ErrorCode.forStatus(status);
        Response response = ErrorBodies.response(status, code, message(code, exception), Map.of(), exception);
        // A 405 must say which methods the route has; Jersey computed them.
        String allowed = refused.getHeaderString(HttpHeaders.ALLOW);
        return allowed == null ? response : Response.fromResponse(response).header(HttpHeaders.ALLOW, allowed).build();
    }

    private static String message(ErrorCode code, WebApplicationException exception) {
        return switch (code) {
            case NOT_FOUND -> "no such route";
            case METHOD_NOT_ALLOWED -> "method not allowed on this route";
            case NOT_ACCEPTABLE -> "this route cannot answer in a type the Accept header allows";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported content type";
            case INTERNAL_ERROR -> "internal error";
            default -> exception.getMessage() == null ? "request refused" : exception.getMessage();
        };
    }
}
