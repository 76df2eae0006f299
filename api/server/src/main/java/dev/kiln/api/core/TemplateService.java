package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.control.TemplateRecordActivitiesImpl;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.representation.TemplateView;
import dev.kiln.db.Ids;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.db.TemplateVersionRow;
import dev.kiln.workflows.template.TemplateImage;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and deletes templates. A delete removes the template with all its versions at once (the name is free again)
 * and hands every version's image to the name's removal workflow, which takes them off every host, now or when the
 * host returns. Sandboxes running from the template keep running: Docker keeps an image's layers while a container
 * uses them.
 */
public final class TemplateService {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateService.class);
    private static final Set<String> TYPES = Set.of("image", "snapshot");

    private final Jdbi jdbi;
    private final WorkflowClient temporal;
    private final String controlTaskQueue;

    public TemplateService(Jdbi jdbi, WorkflowClient temporal, String controlTaskQueue) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.temporal = requireNonNull(temporal, "temporal is null");
        this.controlTaskQueue = requireNonNull(controlTaskQueue, "controlTaskQueue is null");
    }

    public List<TemplateView> list(Caller caller, String type) {
        if (type != null && !TYPES.contains(type)) {
            throw ApiException.badRequest("type must be image or snapshot");
        }
        return jdbi.onDemand(TemplateDao.class).listVisible(caller.teamId(), type).stream().map(TemplateView::of)
                .toList();
    }

    public List<TemplateView> listAll() {
        return jdbi.onDemand(TemplateDao.class).listAll().stream().map(TemplateView::of).toList();
    }

    /** A team deletes its own templates; platform templates (minimal among them) are the admins'. */
    public void delete(Caller caller, String name) {
        TemplateRow template = jdbi.onDemand(TemplateDao.class).findVisible(caller.teamId(), name)
                .orElseThrow(() -> ApiException.notFound("template", name));
        if (Ids.PLATFORM_TEAM_ID.equals(template.teamId()) && !caller.teamId().equals(Ids.PLATFORM_TEAM_ID)) {
            throw ApiException.forbidden("platform templates are deleted by admins: DELETE /v1/admin/templates/" + name);
        }
        remove(template);
    }

    public void deletePlatform(String name) {
        TemplateRow template = jdbi.onDemand(TemplateDao.class).findOwned(Ids.PLATFORM_TEAM_ID, name)
                .orElseThrow(() -> ApiException.notFound("platform template", name));
        remove(template);
    }

    private void remove(TemplateRow template) {
        if (Ids.MINIMAL_TEMPLATE_ID.equals(template.id())) {
            throw ApiException.forbidden("the minimal template can never be deleted");
        }
        List<TemplateVersionRow> versions = jdbi.onDemand(TemplateVersionDao.class).deleteTemplate(template.id());
        for (TemplateVersionRow version : versions) {
            try {
                TemplateRecordActivitiesImpl.scheduleImageRemoval(temporal, controlTaskQueue, template.teamId(),
                        template.name(), new TemplateImage(version.id(), version.imageRef()));
            } catch (RuntimeException e) {
                // The rows are gone and the name free; the image only costs disk until an operator removes it.
                LOG.error("template {} deleted, but removing the image {} of its version {} could not be scheduled",
                        template.id(), version.imageRef(), version.version(), e);
            }
        }
    }
}
