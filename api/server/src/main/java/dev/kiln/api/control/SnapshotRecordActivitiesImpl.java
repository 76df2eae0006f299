package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.SandboxDao;
import dev.kiln.db.SnapshotDao;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateNameTakenException;
import dev.kiln.db.TemplateRow;
import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.snapshot.PublishSnapshot;
import dev.kiln.workflows.snapshot.ReplacedTemplate;
import dev.kiln.workflows.snapshot.SnapshotRecordActivities;
import dev.kiln.workflows.template.TemplateImage;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

public final class SnapshotRecordActivitiesImpl implements SnapshotRecordActivities {
    private final Jdbi jdbi;
    private final Clock clock;
    private final String controlTaskQueue;

    public SnapshotRecordActivitiesImpl(Jdbi jdbi, Clock clock, String controlTaskQueue) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
    }

    @Override
    public SandboxStatus holdSandbox(String snapshotId, String sandboxId) {
        return jdbi.onDemand(SandboxDao.class).holdForSnapshot(sandboxId, snapshotId, clock.instant())
                .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                        "sandbox " + sandboxId + " is neither running nor paused, or another snapshot holds it",
                        FailureType.INVALID_STATE.name()));
    }

    @Override
    public void storeMetrics(String sandboxId, SandboxMetrics metrics) {
        jdbi.onDemand(SandboxDao.class).storeMetrics(sandboxId, metrics, clock.instant());
    }

    @Override
    public ReplacedTemplate publish(PublishSnapshot request) {
        TemplateRow template = new TemplateRow(request.templateId(), request.teamId(), request.name(), "snapshot",
                request.imageRef(), request.vcpus(), request.memoryMb(), request.sizeBytes(), request.user(),
                request.env(), request.workdir(), null, null);
        TemplateDao templates = jdbi.onDemand(TemplateDao.class);
        // A retry after a lost answer finds its own row and must not fail on the name it took itself.
        if (templates.findById(request.templateId()).isPresent()) {
            return new ReplacedTemplate(null, null);
        }
        try {
            if (!request.replace()) {
                templates.insertNamed(template);
                return new ReplacedTemplate(null, null);
            }
            Optional<TemplateRow> replaced = templates.replacePlatform(template);
            return replaced.map(old -> new ReplacedTemplate(old.id(), old.imageRef())).orElse(new ReplacedTemplate(null, null));
        } catch (TemplateNameTakenException e) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "template name \"" + request.name() + "\" was taken while the snapshot ran",
                    FailureType.TEMPLATE_NAME_TAKEN.name());
        }
    }

    @Override
    public void releaseSandbox(String snapshotId, String sandboxId, SandboxStatus status) {
        jdbi.onDemand(SandboxDao.class).releaseFromSnapshot(sandboxId, snapshotId, status, clock.instant());
    }

    @Override
    public void finish(String snapshotId, SnapshotStatus status, String templateId, String error) {
        jdbi.onDemand(SnapshotDao.class).finish(snapshotId, status, templateId, error, clock.instant());
    }

    @Override
    public void scheduleImageRemoval(String teamId, String name, String templateId, String imageRef) {
        TemplateRecordActivitiesImpl.scheduleImageRemoval(Activity.getExecutionContext().getWorkflowClient(), controlTaskQueue, teamId, name,
                new TemplateImage(templateId, imageRef));
    }
}
