package dev.kiln.api.cli;

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
        if (shown == null || shown.isEmpty() || current == null || current.isEmpty()) {
            return current == null ? "" : current;
        }
        if (current.startsWith(shown)) {
            return current.substring(shown.length());
        }
        // Knuth-Morris-Pratt: run shown through the automaton of current; the state at the end is the overlap.
        int[] prefix = new int[current.length()];
        for (int i = 1, k = 0; i < current.length(); i++) {
            while (k > 0 && current.charAt(i) != current.charAt(k)) {
                k = prefix[k - 1];
            }
            if (current.charAt(i) == current.charAt(k)) {
                k++;
            }
            prefix[i] = k;
        }
        int matched = 0;
        for (int i = 0; i < shown.length(); i++) {
            if (matched == current.length()) {
                matched = prefix[matched - 1];
            }
            while (matched > 0 && shown.charAt(i) != current.charAt(matched)) {
                matched = prefix[matched - 1];
            }
            if (shown.charAt(i) == current.charAt(matched)) {
                matched++;
            }
        }
        return current.substring(matched);
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
