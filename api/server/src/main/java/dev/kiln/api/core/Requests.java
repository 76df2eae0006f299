package dev.kiln.api.core;

import dev.kiln.api.errors.ApiException;
import dev.kiln.model.WireValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Checks on request values that Jackson cannot express: presence, and known values, with the field named. */
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

    /** The constant of {@code type} spelled {@code value}; a 400 listing the known spellings otherwise. */
    public static <E extends Enum<E> & WireValue> E wireValue(Class<E> type, String field, String value) {
        try {
            return WireValue.parse(type, value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + " must be one of " + Arrays.stream(type.getEnumConstants())
                    .map(WireValue::wire).sorted().collect(Collectors.joining(", ")));
        }
    }
}
