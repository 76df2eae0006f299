package dev.kiln.api.representation;

/** The only response that ever carries the key itself: it is stored as a hash. */
public record ApiKeyCreated(String id, String teamId, String name, boolean admin, String key) {}
