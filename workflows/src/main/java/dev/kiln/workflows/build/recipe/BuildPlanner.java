package dev.kiln.workflows.build.recipe;

import dev.kiln.workflows.build.BuildStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a validated recipe into the numbered steps the build workflow runs: pre-build (package lists, the
 * build user and its home), the recipe, and post-build clean-up, numbered globally from 1 as in the reference.
 */
public final class BuildPlanner {

    /** The user recipes run as unless they say otherwise, and the template's default user. */
    public static final String BUILD_USER = "kiln";

    /** A recipe RUN without its own timeout gets this long (the reference's 30 s is too short for apt). */
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(10);

    /** Pre- and post-build steps may fetch package lists over a slow mirror. */
    static final Duration MAINTENANCE_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Base images without apt (busybox) skip the package steps instead of failing them. Shown to users as the
     * plain apt command; run as this guard.
     */
    private static final String IF_APT = "if command -v apt-get >/dev/null 2>&1; then %s; else echo 'no apt-get: skipped'; fi";

    private BuildPlanner() {}

    public static List<BuildStep> plan(List<String> recipe, boolean skipPrePost) {
        List<RecipeStep> parsed = RecipeParser.parse(recipe);
        List<BuildStep> steps = new ArrayList<>(parsed.size() + 7);
        if (!skipPrePost) {
            add(steps, BuildStep.PRE_BUILD, "RUN apt-get update", Instruction.RUN,
                    List.of(IF_APT.formatted("apt-get update")), MAINTENANCE_TIMEOUT);
            add(steps, BuildStep.PRE_BUILD, "USER " + BUILD_USER, Instruction.USER, List.of(BUILD_USER), timeoutOf(Instruction.USER));
            add(steps, BuildStep.PRE_BUILD, "WORKDIR /home/" + BUILD_USER, Instruction.WORKDIR,
                    List.of("/home/" + BUILD_USER), timeoutOf(Instruction.WORKDIR));
        }
        for (RecipeStep step : parsed) {
            Duration timeout = step.timeout() == null || step.timeout().isZero() || step.timeout().isNegative()
                    ? timeoutOf(step.instruction())
                    : step.timeout();
            add(steps, BuildStep.RECIPE, step.text(), step.instruction(), step.arguments(), timeout);
        }
        if (!skipPrePost) {
            add(steps, BuildStep.POST_BUILD, "RUN apt-get clean", Instruction.RUN,
                    List.of(IF_APT.formatted("apt-get clean")), MAINTENANCE_TIMEOUT);
            add(steps, BuildStep.POST_BUILD, "RUN apt-get autoremove -y", Instruction.RUN,
                    List.of(IF_APT.formatted("apt-get autoremove -y")), MAINTENANCE_TIMEOUT);
            add(steps, BuildStep.POST_BUILD, "RUN rm -rf /var/lib/apt/lists/*", Instruction.RUN,
                    List.of("rm -rf /var/lib/apt/lists/*"), MAINTENANCE_TIMEOUT);
            add(steps, BuildStep.POST_BUILD, "RUN rm -rf /tmp/build-files /tmp/build-files.*", Instruction.RUN,
                    List.of("rm -rf /tmp/build-files /tmp/build-files.*"), MAINTENANCE_TIMEOUT);
        }
        return steps;
    }

    /** Per-instruction defaults: only RUN does real work; the others are quick and get short leashes. */
    static Duration timeoutOf(Instruction instruction) {
        return switch (instruction) {
            case RUN -> DEFAULT_RUN_TIMEOUT;
            case START, WORKDIR -> Duration.ofSeconds(10);
            case USER -> Duration.ofSeconds(30);
            case COPY -> Duration.ofSeconds(60);
            case ENV -> Duration.ofSeconds(1);
        };
    }

    private static void add(
            List<BuildStep> steps, String phase, String text, Instruction instruction, List<String> arguments,
            Duration timeout) {
        steps.add(new BuildStep(steps.size() + 1, phase, text, instruction.name(), List.copyOf(arguments),
                Math.max(1, timeout.toSeconds())));
    }
}
