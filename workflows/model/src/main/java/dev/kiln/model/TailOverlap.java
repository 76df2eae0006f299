package dev.kiln.model;

/**
 * How a reader of a step's output tails (the build event stream in kiln-api, the CLI's follower) finds what it has
 * not shown yet. A running step's heartbeats and its final result each carry the last bytes of one growing output,
 * never an offset, so two reads overlap by an unknown amount.
 */
public final class TailOverlap {
    private TailOverlap() {}

    /**
     * The part of {@code current} that follows what {@code previous} already showed. Both are tails of one growing
     * output, so the answer is what comes after the longest prefix of {@code current} that ends {@code previous}
     * (found with the Knuth-Morris-Pratt prefix function, linear in the tail size). When the output moved on by
     * more than a tail between two looks, no prefix overlaps and all of {@code current} is new.
     */
    public static String newText(String previous, String current) {
        if (previous == null || previous.isEmpty() || current.isEmpty()) {
            return current;
        }
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
        for (int i = 0; i < previous.length(); i++) {
            if (matched == current.length()) {
                matched = prefix[matched - 1];
            }
            while (matched > 0 && previous.charAt(i) != current.charAt(matched)) {
                matched = prefix[matched - 1];
            }
            if (previous.charAt(i) == current.charAt(matched)) {
                matched++;
            }
        }
        return current.substring(matched);
    }
}
