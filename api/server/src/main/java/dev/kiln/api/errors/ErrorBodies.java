package dev.kiln.api.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the single error body shape of the API. */
public final class ErrorBodies {
    private ErrorBodies() {}

    public static Response response(int status, String code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.putAll(details);
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", error))
                .build();
    }

    public static Response response(int status, String code, String message) {
        return response(status, code, message, Map.of());
    }
}
