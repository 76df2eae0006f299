package dev.kiln.workflows.build.recipe;

import java.time.Duration;
import java.util.List;

/**
 * One parsed recipe line. {@code arguments} depend on the instruction: RUN and START [command], ENV [key, value],
 * WORKDIR [path], USER [name], COPY [source..., destination]. {@code timeout} is null unless RUN set one.
 */
public record RecipeStep(Instruction instruction, String text, List<String> arguments, Duration timeout) {
    public RecipeStep {
        arguments = List.copyOf(arguments);
    }

    /** The command of a RUN or START step. */
    public String command() {
        return arguments.get(0);
    }
}
