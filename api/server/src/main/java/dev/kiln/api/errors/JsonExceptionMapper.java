package dev.kiln.api.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Unreadable bodies are the client's fault: 400, never the 500 a generic mapper would give. A body that is not JSON,
 * or not a JSON object where one is read, is {@code invalid_json}; a field of the wrong JSON type, unknown, or null
 * inside a list or map is {@code invalid_request} naming the field as the client spelled it.
 */
public final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException exception) {
        ApiException error = unreadable(exception, "request body");
        return ErrorBodies.response(error.code(), error.getMessage());
    }

    /** The same error for JSON read outside Jersey, such as a multipart part; {@code what} names the document. */
    public static ApiException unreadable(JsonProcessingException exception, String what) {
        if (!(exception instanceof JsonMappingException mapping)) {
            return new ApiException(ErrorCode.INVALID_JSON, what + " is not valid JSON");
        }
        String field = fieldPath(mapping);
        // Jackson stops at the first token that does not fit, so "[}" and "[1]" fail alike: not JSON it can read.
        if (field.isEmpty()) {
            return new ApiException(ErrorCode.INVALID_JSON, what + " is not the JSON object this route reads");
        }
        if (exception instanceof PropertyBindingException) {
            return ApiException.badRequest("field " + field + " is not known");
        }
        if (exception instanceof InvalidNullException) {
            return ApiException.badRequest("field " + field + " may not be null");
        }
        if (exception instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return ApiException.badRequest(
                    "field " + field + " has the wrong type: expected " + jsonType(mismatch.getTargetType()));
        }
        return ApiException.badRequest("field " + field + " has the wrong type");
    }

    /** {@code team_id}, {@code labels.zone}, {@code recipe[2]}: the path to the field from the document's root. */
    private static String fieldPath(JsonMappingException exception) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : exception.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The JSON name of what the field holds, which is what a client can act on, not the Java class. */
    private static String jsonType(Class<?> type) {
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == Long.class || type == Short.class || type == int.class
                || type == long.class || type == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (Iterable.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
