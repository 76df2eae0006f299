package dev.kiln.activities.recipe;

import java.time.Duration;

/** One parsed recipe line. {@code timeout} is null when the line does not set one. */
public record RecipeStep(Instruction instruction, String text, String command, Duration timeout) {}
