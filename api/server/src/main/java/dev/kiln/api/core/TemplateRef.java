package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.db.TemplateVersionDao;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How sandboxes and builds name a template: {@code name} (its {@code latest}), {@code name:tag} or {@code name@v3}.
 * Exactly one of {@code tag} and {@code version} is set; a plain name has the tag {@code latest}.
 */
public record TemplateRef(String name, String tag, Integer version) {
    private static final Pattern REFERENCED_VERSION = Pattern.compile("v([1-9][0-9]{0,8})");
    /** Paths take the number alone too: {@code /versions/3}. */
    private static final Pattern PATH_VERSION = Pattern.compile("v?([1-9][0-9]{0,8})");

    public TemplateRef {
        requireNonNull(name, "name is null");
        if ((tag == null) == (version == null)) {
            throw new IllegalArgumentException("a reference names a tag or a version, not " + tag + " and " + version);
        }
    }

    /**
     * Reads a reference as a client wrote it.
     *
     * @param field the request field it came from, which a refusal names
     * @throws ApiException 400 {@code invalid_request} for anything but the three forms
     */
    public static TemplateRef parse(String text, String field) {
        requireNonNull(text, "text is null");
        int at = text.indexOf('@');
        int colon = text.indexOf(':');
        if (at >= 0 && colon >= 0) {
            throw invalid(text, field);
        }
        if (at >= 0) {
            String name = text.substring(0, at);
            Matcher version = REFERENCED_VERSION.matcher(text.substring(at + 1));
            if (!SafeNames.isSafe(name) || !version.matches()) {
                throw invalid(text, field);
            }
            return new TemplateRef(name, null, Integer.parseInt(version.group(1)));
        }
        String name = colon >= 0 ? text.substring(0, colon) : text;
        String tag = colon >= 0 ? text.substring(colon + 1) : TemplateVersionDao.LATEST;
        if (!SafeNames.isSafe(name) || !SafeNames.isSafe(tag)) {
            throw invalid(text, field);
        }
        return new TemplateRef(name, tag, null);
    }

    /**
     * A version as a path names it, {@code 3} or {@code v3}.
     *
     * @throws ApiException 400 {@code invalid_request} otherwise
     */
    public static int parseVersion(String text) {
        Matcher version = PATH_VERSION.matcher(requireNonNull(text, "text is null"));
        if (!version.matches()) {
            throw ApiException.badRequest("a version is a positive number, as 3 or v3, not \"" + text + "\"");
        }
        return Integer.parseInt(version.group(1));
    }

    /** {@code name:tag} or {@code name@vN}, as messages and summaries show it. */
    @Override
    public String toString() {
        return version == null ? name + ":" + tag : name + "@v" + version;
    }

    private static ApiException invalid(String text, String field) {
        return ApiException.badRequest("field " + field + " must be a template name, name:tag or name@v<number>, not \""
                + text + "\"");
    }
}
