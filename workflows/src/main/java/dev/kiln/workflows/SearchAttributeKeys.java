package dev.kiln.workflows;

import io.temporal.common.SearchAttributeKey;

/**
 * Typed search attributes every Kiln workflow upserts, so that "all failed builds on host X" is one
 * query in the Temporal UI. The set-up script registers them on the dev server.
 */
public final class SearchAttributeKeys {
    public static final SearchAttributeKey<String> STATUS = SearchAttributeKey.forKeyword("KilnStatus");
    public static final SearchAttributeKey<String> KIND = SearchAttributeKey.forKeyword("KilnKind");
    public static final SearchAttributeKey<String> TEMPLATE = SearchAttributeKey.forKeyword("KilnTemplate");
    public static final SearchAttributeKey<String> PROJECT = SearchAttributeKey.forKeyword("KilnProject");
    public static final SearchAttributeKey<String> HOST = SearchAttributeKey.forKeyword("KilnHost");
    public static final SearchAttributeKey<String> TEAM = SearchAttributeKey.forKeyword("KilnTeam");

    private SearchAttributeKeys() {}
}
