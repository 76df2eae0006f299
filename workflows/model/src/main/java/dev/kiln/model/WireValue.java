package dev.kiln.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * A value with one spelling everywhere Kiln writes it down: a PostgreSQL column (the schema's CHECK constraint lists
 * the same strings), JSON on the REST API and in Temporal payloads, and Temporal search attributes. The spelling is
 * the lower-case form of the enum constant, with {@code _} as {@code -} (so {@code PRE_BUILD} is {@code pre-build});
 * this is the only place that says so.
 */
public interface WireValue {
    /** The spelling stored and sent. */
    String wire();

    /** The spelling of {@code constant} under the rule above. */
    static String spell(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} spelled {@code wire}.
     *
     * @throws IllegalArgumentException if none is: an unknown value on the wire is an error, never a default
     */
    static <E extends Enum<E> & WireValue> E parse(Class<E> type, String wire) {
        for (E constant : type.getEnumConstants()) {
            if (constant.wire().equals(wire)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + wire + "'; known: "
                + Arrays.stream(type.getEnumConstants()).map(WireValue::wire).toList());
    }
}
