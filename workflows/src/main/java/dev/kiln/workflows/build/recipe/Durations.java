package dev.kiln.workflows.build.recipe;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ({@code 30s}, {@code 5m}, {@code 1h30m}, {@code 1.5s}, {@code 250ms}), as recipes use them. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new RecipeException("invalid duration \"\"");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(text);
        double nanos = 0;
        int position = 0;
        while (position < text.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new RecipeException("invalid duration \"" + text + "\"");
            }
            nanos += Double.parseDouble(matcher.group(1)) * unitNanos(matcher.group(2));
            position = matcher.end();
        }
        return Duration.ofNanos((long) nanos);
    }

    private static double unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
    }
}
