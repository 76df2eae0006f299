package dev.kiln.api.core;

import java.util.regex.Pattern;

/** Template names end up in image references, paths and URLs: one conservative pattern for all of them. */
public final class SafeNames {
    private static final Pattern SAFE_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");

    private SafeNames() {}

    public static boolean isSafe(String name) {
        return name != null && SAFE_NAME.matcher(name).matches();
    }
}
