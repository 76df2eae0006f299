package dev.kiln.cli.wire;

/**
 * One step of a build ({@code BuildStep}), as the build lists it and as the {@code step-start} and {@code step-end}
 * events carry it. The result fields (outputs, exit code, ok, elapsed time) are null until the step ends; a
 * {@code cached} step came from the host's step cache and did not run (false from servers without the cache).
 */
public record StepView(
        int step,
        String phase,
        String command,
        String stdout,
        String stderr,
        Integer exitCode,
        Boolean ok,
        Long elapsedMs,
        boolean cached) {
    private static final String RECIPE_PHASE = "recipe";

    public boolean ended() {
        return ok != null;
    }

    public boolean succeeded() {
        return Boolean.TRUE.equals(ok);
    }

    /** The command, with its phase when that is pre- or post-build: recipe steps are shown as the user wrote them. */
    public String label() {
        String text = command == null ? "" : command;
        return phase == null || phase.equals(RECIPE_PHASE) ? text : text + " [" + phase + "]";
    }
}
