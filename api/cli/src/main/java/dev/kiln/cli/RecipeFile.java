package dev.kiln.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A recipe file: one instruction per line, as the API's {@code recipe} array takes them. Blank lines and lines
 * whose first non-blank character is {@code #} are skipped; a line ending in a backslash continues on the next,
 * as in a Dockerfile, and the two are joined with one space.
 */
public final class RecipeFile {
    private RecipeFile() {}

    /**
     * The template name a build of this file makes when none is given: the file's name without its extension, made
     * into a valid template name; empty when nothing of it is left.
     */
    public static Optional<String> templateName(Path recipeFile) {
        String file = recipeFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[^a-zA-Z0-9._-]", "-");
        stem = stem.replaceAll("^[^a-zA-Z0-9]+", "");
        if (stem.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(stem.length() > 64 ? stem.substring(0, 64) : stem);
    }

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
