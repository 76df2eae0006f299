package dev.kiln.api.errors;

import io.dropwizard.jersey.validation.JerseyViolationException;
import jakarta.validation.ConstraintViolation;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.stream.Collectors;

/** Bean-validation failures on parameters and bodies: 400 naming the field. */
public final class ViolationExceptionMapper implements ExceptionMapper<JerseyViolationException> {

    @Override
    public Response toResponse(JerseyViolationException exception) {
        String message = exception.getConstraintViolations().stream()
                .map(ViolationExceptionMapper::describe)
                .sorted()
                .collect(Collectors.joining("; "));
        return ErrorBodies.response(ErrorCode.INVALID_REQUEST, message);
    }

    private static String describe(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        String field = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
        return field + " " + violation.getMessage();
    }
}
