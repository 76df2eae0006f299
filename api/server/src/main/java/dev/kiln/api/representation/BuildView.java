package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.model.BuildStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildView(
        String id,
        String name,
        String baseTemplate,
        BuildStatus status,
        int currentStep,
        int completedSteps,
        int totalSteps,
        List<StepView> steps,
        ErrorView error,
        String hostId,
        String templateId,
        String defaultUser,
        Map<String, String> defaultEnv,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        String cancelledBy,
        Instant cancelRequestedAt,
        List<String> recipe,
        String healthcheck,
        int vcpus,
        int memoryMb,
        boolean skipPrePost,
        Queue queue) {

    /**
     * Where a build waiting for a host stands: its place among the builds waiting (1 is next), and the hosts that
     * could take it (online, not draining, big enough for it once free); empty when none could.
     */
    public record Queue(int position, int length, List<String> eligibleHostIds) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepView(
            int step, String phase, String command, String stdout, String stderr, Integer exitCode, Boolean ok,
            Long elapsedMs, boolean cached) {
        public static StepView of(BuildStepRow row) {
            return new StepView(row.step(), row.phase(), row.command(), row.stdout(), row.stderr(), row.exitCode(),
                    row.ok(), row.elapsedMs(), row.cached());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorView(String message, Integer step) {
        /** Null when the build has no error. */
        public static ErrorView of(BuildRow row) {
            return row.errorMessage() == null ? null : new ErrorView(row.errorMessage(), row.errorStep());
        }
    }

    /** @param queue null unless the build waits for a host */
    public static BuildView of(BuildRow row, List<BuildStepRow> steps, Queue queue) {
        return new BuildView(row.id(), row.name(), row.baseTemplate(), row.status(), row.currentStep(), row.completedSteps(),
                row.totalSteps(), steps.stream().map(StepView::of).toList(), ErrorView.of(row), row.hostId(),
                row.templateId(), row.defaultUser(), row.defaultEnv(), row.createdAt(), row.startedAt(),
                row.completedAt(), row.cancelledBy(), row.status().terminal() ? null : row.cancelRequestedAt(),
                row.recipe(), row.healthcheck(), row.vcpus(), row.memoryMb(), row.skipPrePost(), queue);
    }
}
