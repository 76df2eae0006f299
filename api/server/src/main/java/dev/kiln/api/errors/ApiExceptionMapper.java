package dev.kiln.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class ApiExceptionMapper implements ExceptionMapper<ApiException> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(ApiException exception) {
        if (exception.status() >= 500) {
            LOG.error("{} {}: {}", exception.status(), exception.code(), exception.getMessage());
        } else {
            LOG.warn("{} {}: {}", exception.status(), exception.code(), exception.getMessage());
        }
        return ErrorBodies.response(exception.status(), exception.code(), exception.getMessage(), exception.details());
    }
}
