package dev.kiln.workflows.build;

import java.util.List;

/**
 * Payload: one planned step of a build. {@code number} is global and 1-based across phases; {@code text} is
 * the recipe line as written; {@code instruction} and {@code arguments} are what the host executes
 * (RUN/START [command], ENV [key, value], WORKDIR [path], USER [name], COPY [source..., destination]).
 */
public record BuildStep(
        int number, String phase, String text, String instruction, List<String> arguments, long timeoutSeconds) {

    public static final String PRE_BUILD = "pre-build";
    public static final String RECIPE = "recipe";
    public static final String POST_BUILD = "post-build";
}
