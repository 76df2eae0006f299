package dev.kiln.workflows.build.recipe;

/** POSIX shell quoting: every value goes into single quotes, so nothing in it is ever interpreted. */
public final class Shell {
    private Shell() {}

    public static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
