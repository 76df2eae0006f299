package dev.kiln.workflows.build.recipe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code [--interval=D] [--timeout=D] [--start-period=D] [--retries=N] command}. Defaults 3 s, 10 s, 0, 0
 * (retries 0 = probe until the build deadline). An interval of zero is refused: it would probe in a hot loop.
 */
public record Healthcheck(Duration interval, Duration timeout, Duration startPeriod, int retries, String command) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(3);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public static Healthcheck parse(String text) {
        if (text == null || text.isBlank()) {
            throw new RecipeException("healthcheck: a command is required");
        }
        Duration interval = DEFAULT_INTERVAL;
        Duration timeout = DEFAULT_TIMEOUT;
        Duration startPeriod = Duration.ZERO;
        int retries = 0;
        String[] tokens = text.strip().split("\\s+");
        int index = 0;
        for (; index < tokens.length && tokens[index].startsWith("--"); index++) {
            String token = tokens[index];
            int equals = token.indexOf('=');
            if (equals < 0) {
                throw new RecipeException("healthcheck: flag " + token + " needs a value (" + token + "=...)");
            }
            String flag = token.substring(0, equals);
            String value = token.substring(equals + 1);
            switch (flag) {
                case "--interval" -> interval = positive(flag, Durations.parse(value));
                case "--timeout" -> timeout = positive(flag, Durations.parse(value));
                case "--start-period" -> startPeriod = Durations.parse(value);
                case "--retries" -> retries = parseRetries(value);
                default -> throw new RecipeException("healthcheck: unknown flag " + flag);
            }
        }
        if (index == tokens.length) {
            throw new RecipeException("healthcheck: a command is required after the flags");
        }
        List<String> command = new ArrayList<>(List.of(tokens).subList(index, tokens.length));
        return new Healthcheck(interval, timeout, startPeriod, retries, String.join(" ", command));
    }

    private static Duration positive(String flag, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new RecipeException("healthcheck: " + flag + " must be greater than zero");
        }
        return value;
    }

    private static int parseRetries(String value) {
        try {
            int retries = Integer.parseInt(value);
            if (retries < 0) {
                throw new RecipeException("healthcheck: --retries must not be negative");
            }
            return retries;
        } catch (NumberFormatException e) {
            throw new RecipeException("healthcheck: invalid --retries \"" + value + "\"");
        }
    }
}
