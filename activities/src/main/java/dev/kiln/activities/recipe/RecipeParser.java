package dev.kiln.activities.recipe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses recipe lines. Each line is trimmed; the keyword is the text before the first space and is
 * case-insensitive. Error texts follow the reference builder's, so users moving over recognise them.
 */
public final class RecipeParser {

    private RecipeParser() {}

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
        if (command.isEmpty()) {
            throw new RecipeException("RUN requires a command");
        }
        return new RecipeStep(Instruction.RUN, text, command, timeout);
    }
}
