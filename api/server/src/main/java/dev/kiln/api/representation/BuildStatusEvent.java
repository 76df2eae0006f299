package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.BuildRow;
import dev.kiln.model.BuildStatus;

/** Data of an {@code event: status} on a build's event stream. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildStatusEvent(
        BuildStatus status, int currentStep, int completedSteps, int totalSteps, BuildView.ErrorView error,
        String templateId,
        String cancelledBy) {

    public static BuildStatusEvent of(BuildRow row) {
        return new BuildStatusEvent(row.status(), row.currentStep(), row.completedSteps(), row.totalSteps(),
                BuildView.ErrorView.of(row),
                row.templateId(), row.cancelledBy());
    }
}
