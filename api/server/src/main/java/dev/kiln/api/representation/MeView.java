package dev.kiln.api.representation;

/**
 * Who the key is, and the server settings a client shows: where the Temporal UI is, and the archive limit of a
 * build upload.
 */
public record MeView(String keyId, String teamId, String teamName, boolean admin, Settings settings) {
    public record Settings(String temporalUiUrl, String temporalNamespace, long maxArchiveBytes) {}
}
