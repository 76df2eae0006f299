package dev.kiln.cli;

/** A fixed-width text progress bar: {@code [#####-----]}. */
public final class ProgressBar {
    private ProgressBar() {}

    /**
     * @param done how much is done; clamped to {@code 0..total}
     * @param total the whole; zero or less draws an empty bar (nothing known yet)
     * @param width cells between the brackets
     */
    public static String render(long done, long total, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        int filled = 0;
        if (total > 0) {
            long clamped = Math.max(0, Math.min(done, total));
            // Rounded down, so that the bar is full only when everything is done.
            filled = (int) (clamped * width / total);
        }
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** Whole percent, rounded down; 0 when the total is not known. */
    public static int percent(long done, long total) {
        if (total <= 0) {
            return 0;
        }
        return (int) (Math.max(0, Math.min(done, total)) * 100 / total);
    }
}
