package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.NewTemplateVersion;
import dev.kiln.db.SandboxDao;
import dev.kiln.db.SandboxRow;
import dev.kiln.db.SnapshotDao;
import dev.kiln.db.SnapshotRow;
import dev.kiln.db.TemplateNameTakenException;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.model.TagMoveReason;
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

    /**
     * The version records the sandbox's template and version as its parent, and is of type image when flattened
     * (one layer, as a build's flattened image), snapshot when committed.
     */
    @Override
    public ReplacedTemplate publish(PublishSnapshot request) {
        TemplateVersionDao versions = jdbi.onDemand(TemplateVersionDao.class);
        // A retry after a lost answer finds its own version and must not make another.
        if (versions.findById(request.templateId()).isPresent()) {
            return new ReplacedTemplate(null, null);
        }
        SnapshotRow snapshot = jdbi.onDemand(SnapshotDao.class).findById(request.snapshotId())
                .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                        "snapshot " + request.snapshotId() + " does not exist", FailureType.NOT_FOUND.name()));
        Optional<SandboxRow> sandbox = jdbi.onDemand(SandboxDao.class).findById(snapshot.sandboxId());
        NewTemplateVersion version = new NewTemplateVersion(request.templateId(),
                "flatten".equals(snapshot.mode()) ? "image" : "snapshot", request.imageRef(), request.vcpus(),
                request.memoryMb(), request.sizeBytes(), request.user(), request.env(), request.workdir(), null,
                request.snapshotId(), sandbox.map(SandboxRow::templateId).orElse(null),
                sandbox.map(SandboxRow::templateName).orElse(null),
                sandbox.map(SandboxRow::templateVersion).orElse(null), null, request.imageId(), request.baseImageId());
        try {
            versions.publish(request.teamId(), request.name(), version, TagMoveReason.SNAPSHOT, request.snapshotId(),
                    clock.instant());
        } catch (TemplateNameTakenException e) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "template name \"" + request.name() + "\" was taken while the snapshot ran",
                    FailureType.TEMPLATE_NAME_TAKEN.name());
        }
        return new ReplacedTemplate(null, null);
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
