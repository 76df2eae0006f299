package dev.kiln.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;

/**
 * The one line of live status on stderr. On a terminal it is redrawn in place (carriage return, then erase to the
 * end of the line) and kept out of the way of other output; elsewhere, such as a log file or CI, only the updates
 * marked as milestones are printed, each on a line of its own, since a file cannot be redrawn.
 */
public final class StatusLine {
    private static final String ERASE_LINE = "\r\033[K";

    private final PrintStream err;
    private final boolean terminal;
    private final int columns;
    private String current = "";
    private String lastPlain;

    /** @param columns the terminal's width; the line is cut to it so that it never wraps, which would break redraws */
    public StatusLine(PrintStream err, boolean terminal, int columns) {
        this.err = requireNonNull(err, "err is null");
        this.terminal = terminal;
        this.columns = Math.max(20, columns);
    }

    public boolean terminal() {
        return terminal;
    }

    /**
     * @param milestone printed even when not on a terminal (a step started, a status changed); otherwise the
     *     update is for the live line only
     */
    public void update(String text, boolean milestone) {
        if (terminal) {
            current = fit(text);
            err.print(ERASE_LINE + current);
            err.flush();
        } else if (milestone && !text.equals(lastPlain)) {
            lastPlain = text;
            err.println(text);
            err.flush();
        }
    }

    /** A line that stays: printed above the live line, which is drawn again below it. */
    public void println(String text) {
        clear();
        err.println(text);
        redraw();
    }

    /** Runs {@code output} (which writes elsewhere, such as stdout) with the live line out of the way. */
    public void around(Runnable output) {
        clear();
        output.run();
        redraw();
    }

    /** Erases the live line for good, before a final message. */
    public void finish() {
        clear();
        current = "";
    }

    private void clear() {
        if (terminal && !current.isEmpty()) {
            err.print(ERASE_LINE);
            err.flush();
        }
    }

    private void redraw() {
        if (terminal && !current.isEmpty()) {
            err.print(current);
        }
        err.flush();
    }

    private String fit(String text) {
        String line = text.replace('\n', ' ').replace('\r', ' ');
        return line.length() < columns ? line : line.substring(0, columns - 2) + "…";
    }
}
