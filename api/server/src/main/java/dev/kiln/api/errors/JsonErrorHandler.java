package dev.kiln.api.errors;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before a request reaches Jersey (an ambiguous or malformed URI, headers too large,
 * a failure outside the resources), in the API's JSON error body instead of Jetty's HTML page. Unlike Jetty's own it
 * answers every method with a body, not only GET, POST and HEAD, and whatever the Accept header asks for.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    public JsonErrorHandler(ObjectMapper json) {
        this.json = requireNonNull(json, "json is null");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws JsonProcessingException {
        int status = response.getStatus();
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException httpException) {
            status = httpException.getCode();
            response.setStatus(status);
            message = message == null ? httpException.getReason() : message;
        }
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        ErrorCode code = ErrorCode.forStatus(status);
        // Jetty's message for a 5xx is the exception's text: for the log, not for the client.
        String text = status >= 500 || message == null ? HttpStatus.getMessage(status).toLowerCase(Locale.ROOT) : message;
        byte[] body = json.writeValueAsBytes(ErrorBodies.body(status, code, text, Map.of(), cause));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        if (status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, ErrorBodies.RETRY_AFTER_SECONDS);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
