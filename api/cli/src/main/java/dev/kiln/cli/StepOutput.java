package dev.kiln.cli;

import dev.kiln.model.TailOverlap;

/**
 * The part of a step's output not yet printed. A build's log events and its step-end result both carry tails of
 * one growing output, so what is new in {@code current} is what follows the longest prefix of it that ends
 * {@code shown}.
 */
public final class StepOutput {
    private StepOutput() {}

    /**
     * @param shown what was printed so far (only its end matters)
     * @param current a later tail of the same output
     */
    public static String unseen(String shown, String current) {
        return current == null ? "" : TailOverlap.newText(shown, current);
    }

    /** The last {@code lines} lines of {@code text}, without a trailing newline. */
    public static String lastLines(String text, int lines) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String trimmed = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] all = trimmed.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
