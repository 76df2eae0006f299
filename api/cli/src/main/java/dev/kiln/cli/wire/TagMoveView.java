package dev.kiln.cli.wire;

/** One move of a tag ({@code TagMove}); {@code fromVersion} is null for the move that created it. */
public record TagMoveView(String tag, Integer fromVersion, int toVersion, String reason, String movedBy, String movedAt) {}
