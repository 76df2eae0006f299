package dev.kiln.workflows.template;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;

import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;

public final class TemplateImagesWorkflowImpl implements TemplateImagesWorkflow {
    private final TemplateRecordActivities records =
            Workflow.newActivityStub(TemplateRecordActivities.class, ActivityCatalog.record());
    private final Queue<TemplateImage> queue = new ArrayDeque<>();

    @Override
    public void run() {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("template-images"));
        Workflow.await(() -> !queue.isEmpty());
        while (!queue.isEmpty()) {
            TemplateImage image = queue.poll();
            RemovalTargets targets = records.removalTargets();
            Workflow.setCurrentDetails("removing " + image.imageRef() + " from " + targets.online().size()
                    + " online hosts; " + targets.away().size() + " away");
            // All hosts at once: one slow host must not hold back the others.
            Map<String, Promise<Void>> removals = new LinkedHashMap<>();
            for (String hostId : targets.online()) {
                BuildSandboxHostActivities host = Workflow.newActivityStub(BuildSandboxHostActivities.class,
                        ActivityCatalog.hostLifecycle(hostId, "remove " + image.imageRef()));
                removals.put(hostId, Async.procedure(host::removeImage, image.imageRef()));
            }
            removals.forEach((hostId, removal) -> {
                try {
                    removal.get();
                } catch (ActivityFailure failure) {
                    records.rememberRemoval(hostId, image.imageRef(), image.templateId());
                }
            });
            for (String hostId : targets.away()) {
                records.rememberRemoval(hostId, image.imageRef(), image.templateId());
            }
        }
    }

    @Override
    public void remove(TemplateImage image) {
        queue.add(image);
    }
}
