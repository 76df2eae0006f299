package dev.kiln.workflows.build.recipe;

/** A recipe or healthcheck the builder cannot run; the message names the line, as users see it. */
public final class RecipeException extends RuntimeException {
    public RecipeException(String message) {
        super(message);
    }
}
