package dev.kiln.workflows.template;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Takes the images of deleted or replaced templates off every host: {@code template-<teamId>-<name>}, one per
 * template name, started with signal-with-start so that the removals of one name run in order, one at a time.
 * Image refs are per template id, so removing an old image can never remove a template recreated under the
 * same name.
 */
@WorkflowInterface
public interface TemplateImagesWorkflow {
    static String workflowId(String teamId, String name) {
        return "template-" + teamId + "-" + name;
    }

    @WorkflowMethod(name = "TemplateImagesWorkflow")
    void run();

    @SignalMethod(name = "remove")
    void remove(TemplateImage image);
}
