package dev.kiln.workflows.build;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** {@code build-<buildId>}: turns a recipe into a template image on one host. */
@WorkflowInterface
public interface TemplateBuildWorkflow {

    static String workflowId(String buildId) {
        return "build-" + buildId;
    }

    @WorkflowMethod(name = "TemplateBuild")
    TemplateBuildResult run(TemplateBuildInput input);
}
