package dev.kiln.cli.wire;

import java.util.List;

/**
 * A template build ({@code Build}): {@code GET /v1/admin/builds/{id}}, the list (without steps), and the answers to
 * submit and cancel. Timestamps are the API's ISO-8601 strings; fields without a value are null.
 */
public record BuildView(
        String id,
        String name,
        String baseTemplate,
        String status,
        int currentStep,
        int totalSteps,
        List<StepView> steps,
        BuildErrorView error,
        String hostId,
        String templateId,
        String createdAt,
        String startedAt,
        String completedAt,
        String cancelledBy) {
    public BuildView {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** What the build's terminal status event would have said, for a stream that ended before sending it. */
    public BuildStatusEvent statusEvent() {
        return new BuildStatusEvent(status, totalSteps, error, templateId, cancelledBy);
    }
}
