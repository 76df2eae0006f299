package dev.kiln.api.errors;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/** Every exception mapper of the API, registered as one, so the application and its resource tests map alike. */
public final class ErrorMappers implements Feature {

    @Override
    public boolean configure(FeatureContext context) {
        context.register(new ApiExceptionMapper());
        context.register(new JsonExceptionMapper());
        context.register(new ViolationExceptionMapper());
        context.register(new WebApplicationExceptionMapper());
        context.register(new FallbackExceptionMapper());
        return true;
    }
}
