package dev.kiln.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The API's timestamps, ISO-8601 strings, for people. One that does not parse shows as unknown rather than failing
 * the command: a display is no reason to refuse a whole answer.
 */
final class Timestamps {
    private Timestamps() {}

    static Optional<Instant> parse(String timestamp) {
        if (timestamp == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** How long before the clock's now, as {@link Units#ago}; {@code -} when unknown. */
    static String ago(String timestamp, Clock clock) {
        return parse(timestamp).map(then -> Units.ago(Duration.between(then, clock.instant()))).orElse("-");
    }

    /** {@code " (4m 05s)"} from one to the other; empty when either is unknown. */
    static String elapsed(String from, String to) {
        Optional<Instant> start = parse(from);
        Optional<Instant> end = parse(to);
        return start.isPresent() && end.isPresent()
                ? " (" + Units.duration(Duration.between(start.get(), end.get())) + ")" : "";
    }
}
