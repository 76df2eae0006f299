package dev.kiln.api.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.stream.Collectors;

/** Unreadable bodies are the client's fault: 400, never the 500 a generic mapper would give. */
public final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException exception) {
        ApiException error = unreadable(exception, "request body");
        return ErrorBodies.response(error.code(), error.getMessage());
    }

    /** The same error for JSON read outside Jersey, such as a multipart part; {@code what} names the document. */
    public static ApiException unreadable(JsonProcessingException exception, String what) {
        if (exception instanceof JsonParseException) {
            return new ApiException(ErrorCode.INVALID_JSON, what + " is not valid JSON");
        }
        if (exception instanceof MismatchedInputException || exception instanceof InvalidFormatException) {
            String field = fieldPath((JsonMappingException) exception);
            if (!field.isEmpty()) {
                return ApiException.badRequest("field " + field + " has the wrong type");
            }
        }
        return new ApiException(ErrorCode.INVALID_JSON, what + " could not be read as JSON");
    }

    private static String fieldPath(JsonMappingException exception) {
        return exception.getPath().stream()
                .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
