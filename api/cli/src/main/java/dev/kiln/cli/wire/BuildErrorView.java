package dev.kiln.cli.wire;

/** Why a build failed ({@code BuildError}); {@code step} is null when no step was at fault (healthcheck, lost host). */
public record BuildErrorView(String message, Integer step) {}
