package dev.kiln.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

public final class ApiExceptionMapper implements ExceptionMapper<ApiException> {

    @Override
    public Response toResponse(ApiException exception) {
        return ErrorBodies.response(exception.code(), exception.getMessage(), exception.details(), exception.getCause());
    }
}
