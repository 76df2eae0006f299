package dev.kiln.api.representation;

/** A null {@code version} rolls the tag back to the version it held before its current one. */
public record RollbackTagRequest(Integer version) {}
