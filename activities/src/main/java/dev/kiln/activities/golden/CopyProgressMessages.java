package dev.kiln.activities.golden;

import java.util.Locale;

/** The texts a session start shows while it copies the golden. */
public final class CopyProgressMessages {

    private CopyProgressMessages() {}

    /** "Unpacking build cache (2.1/7.0 GB)": decimal gigabytes (1e9), one decimal place, whatever the locale. */
    public static String unpacking(long copiedBytes, long totalBytes) {
        return String.format(Locale.ROOT, "Unpacking build cache (%.1f/%.1f GB)",
                copiedBytes / 1e9, Math.max(copiedBytes, totalBytes) / 1e9);
    }
}
