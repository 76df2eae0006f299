package dev.kiln.api.core;

import dev.kiln.api.errors.ApiException;

/** Checks on request bodies that Jackson cannot express: presence, with the field named in the error. */
public final class Requests {
    private Requests() {}

    public static <T> T requireBody(T body) {
        if (body == null) {
            throw ApiException.badRequest("a JSON request body is required");
        }
        return body;
    }

    public static String requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("field " + field + " is required");
        }
        return value;
    }

    public static <T> T require(T value, String field) {
        if (value == null) {
            throw ApiException.badRequest("field " + field + " is required");
        }
        return value;
    }
}
