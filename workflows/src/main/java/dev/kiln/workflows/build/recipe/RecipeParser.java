package dev.kiln.workflows.build.recipe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses recipe lines. Each line is trimmed; the keyword is the text before the first space (a tab does not
 * count) and is case-insensitive. Error texts follow the reference builder's, so users moving over recognise them.
 */
public final class RecipeParser {
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private RecipeParser() {}

    /** Parses every line, stopping at the first error, which names its 1-based line. */
    public static List<RecipeStep> parse(List<String> lines) {
        if (lines == null) {
            return List.of();
        }
        List<RecipeStep> steps = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            try {
                steps.add(parseStep(lines.get(i)));
            } catch (RecipeException e) {
                throw new RecipeException("recipe line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return steps;
    }

    public static RecipeStep parseStep(String line) {
        String trimmed = line == null ? "" : line.strip();
        if (trimmed.isEmpty()) {
            throw new RecipeException("empty step");
        }
        int space = trimmed.indexOf(' ');
        String keyword = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
        String rest = space < 0 ? "" : trimmed.substring(space + 1).strip();
        return switch (keyword) {
            case "RUN" -> parseRun(trimmed, rest);
            case "START" -> new RecipeStep(Instruction.START, trimmed, List.of(required(rest, "START requires a command")), null);
            case "ENV" -> parseEnv(trimmed, rest);
            case "WORKDIR" -> new RecipeStep(Instruction.WORKDIR, trimmed, List.of(required(rest, "WORKDIR requires a path")), null);
            case "USER" -> parseUser(trimmed, rest);
            case "COPY" -> parseCopy(trimmed, rest);
            default -> throw new RecipeException("unknown instruction \"" + keyword
                    + "\" (expected RUN, START, ENV, WORKDIR, USER, or COPY)");
        };
    }

    private static RecipeStep parseRun(String text, String rest) {
        Duration timeout = null;
        String command = rest;
        if (rest.startsWith("--timeout=")) {
            int end = rest.indexOf(' ');
            String flag = end < 0 ? rest : rest.substring(0, end);
            timeout = Durations.parse(flag.substring("--timeout=".length()));
            command = end < 0 ? "" : rest.substring(end + 1).strip();
        }
        return new RecipeStep(Instruction.RUN, text, List.of(required(command, "RUN requires a command")), timeout);
    }

    private static RecipeStep parseEnv(String text, String rest) {
        int equals = rest.indexOf('=');
        if (equals < 0) {
            throw new RecipeException("ENV requires KEY=VALUE");
        }
        String key = rest.substring(0, equals);
        if (key.isEmpty()) {
            throw new RecipeException("ENV key must not be empty");
        }
        return new RecipeStep(Instruction.ENV, text, List.of(key, rest.substring(equals + 1)), null);
    }

    private static RecipeStep parseUser(String text, String rest) {
        String name = required(rest, "USER requires a username");
        if (!USER_NAME.matcher(name).matches()) {
            throw new RecipeException("invalid username \"" + name + "\"");
        }
        return new RecipeStep(Instruction.USER, text, List.of(name), null);
    }

    private static RecipeStep parseCopy(String text, String rest) {
        List<String> tokens = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
        if (tokens.size() < 2) {
            throw new RecipeException("COPY requires at least one source and a destination");
        }
        return new RecipeStep(Instruction.COPY, text, tokens, null);
    }

    private static String required(String value, String message) {
        if (value.isEmpty()) {
            throw new RecipeException(message);
        }
        return value;
    }
}
