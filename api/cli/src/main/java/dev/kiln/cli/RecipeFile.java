package dev.kiln.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A recipe file: one instruction per line, as the API's {@code recipe} array takes them. Blank lines and lines
 * whose first non-blank character is {@code #} are skipped; a line ending in a backslash continues on the next,
 * as in a Dockerfile, and the two are joined with one space.
 */
public final class RecipeFile {
    private RecipeFile() {}

    public static List<String> parse(String text) {
        List<String> instructions = new ArrayList<>();
        StringBuilder pending = null;
        for (String raw : text.split("\\R", -1)) {
            String line = raw.strip();
            if (pending == null && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (pending != null && line.startsWith("#")) {
                // A comment inside a continued instruction, as Dockerfiles allow: it is not part of the command.
                continue;
            }
            boolean continues = line.endsWith("\\");
            String part = continues ? line.substring(0, line.length() - 1).strip() : line;
            if (pending == null) {
                pending = new StringBuilder(part);
            } else if (!part.isEmpty()) {
                if (!pending.isEmpty()) {
                    pending.append(' ');
                }
                pending.append(part);
            }
            if (!continues) {
                instructions.add(pending.toString());
                pending = null;
            }
        }
        if (pending != null && !pending.isEmpty()) {
            instructions.add(pending.toString());
        }
        return instructions;
    }
}
