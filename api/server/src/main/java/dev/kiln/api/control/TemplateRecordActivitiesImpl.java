package dev.kiln.api.control;

import static java.util.Objects.requireNonNull;

import dev.kiln.db.HostDao;
import dev.kiln.db.HostRow;
import dev.kiln.db.PendingImageRemovalDao;
import dev.kiln.model.HostStatus;
import dev.kiln.workflows.template.RemovalTargets;
import dev.kiln.workflows.template.TemplateImage;
import dev.kiln.workflows.template.TemplateImagesWorkflow;
import dev.kiln.workflows.template.TemplateRecordActivities;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

public final class TemplateRecordActivitiesImpl implements TemplateRecordActivities {
    private final Jdbi jdbi;

    public TemplateRecordActivitiesImpl(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * Queues the image on its template name's removal workflow, starting it if none runs, so that the removals of
     * one name happen in order, one at a time.
     */
    public static void scheduleImageRemoval(WorkflowClient temporal, String controlTaskQueue, String teamId, String name,
            TemplateImage image) {
        TemplateImagesWorkflow workflow = temporal.newWorkflowStub(TemplateImagesWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(TemplateImagesWorkflow.workflowId(teamId, name))
                        .setTaskQueue(controlTaskQueue)
                        .setStaticSummary("Remove the images of template " + name + " from every host")
                        .setStaticDetails("**Template** `" + name + "` of `" + teamId + "`  \nImages of deleted or "
                                + "replaced versions go off every online host; hosts that are away remove them when "
                                + "they return.")
                        .build());
        BatchRequest request = temporal.newSignalWithStartRequest();
        request.add(workflow::run);
        request.add(workflow::remove, image);
        temporal.signalWithStart(request);
    }

    /** Pending hosts never pulled the image; every registered one may hold it. */
    @Override
    public RemovalTargets removalTargets() {
        List<HostRow> registered = jdbi.onDemand(HostDao.class).list().stream()
                .filter(host -> host.status() != HostStatus.PENDING)
                .toList();
        return new RemovalTargets(
                registered.stream().filter(host -> host.status() == HostStatus.ONLINE).map(HostRow::id).toList(),
                registered.stream().filter(host -> host.status() != HostStatus.ONLINE).map(HostRow::id).toList());
    }

    @Override
    public void rememberRemoval(String hostId, String imageRef, String templateId) {
        jdbi.onDemand(PendingImageRemovalDao.class).remember(hostId, imageRef, templateId);
    }

    @Override
    public List<String> pendingRemovals(String hostId) {
        return jdbi.onDemand(PendingImageRemovalDao.class).imagesFor(hostId);
    }

    @Override
    public void forgetRemoval(String hostId, String imageRef) {
        jdbi.onDemand(PendingImageRemovalDao.class).forget(hostId, imageRef);
    }
}
