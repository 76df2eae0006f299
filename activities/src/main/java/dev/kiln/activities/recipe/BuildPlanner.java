package dev.kiln.activities.recipe;

import dev.kiln.workflows.build.BuildStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns a validated recipe into the numbered steps the build workflow runs. */
public final class BuildPlanner {

    /** A recipe RUN without its own timeout gets this long (the reference's recipe default was 30 s, too short for apt). */
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(10);

    private BuildPlanner() {}

    public static List<BuildStep> plan(List<String> recipe) {
        List<RecipeStep> parsed = RecipeParser.parse(recipe);
        List<BuildStep> steps = new ArrayList<>(parsed.size());
        for (RecipeStep step : parsed) {
            Duration timeout = step.timeout() == null || step.timeout().isZero() || step.timeout().isNegative()
                    ? DEFAULT_RUN_TIMEOUT
                    : step.timeout();
            steps.add(new BuildStep(steps.size() + 1, "recipe", step.text(), step.command(),
                    Math.max(1, timeout.toSeconds())));
        }
        return steps;
    }
}
