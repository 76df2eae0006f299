package dev.kiln.api;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.List;

/** The executions a visibility query matches, every page of them: what a test stack ran on its control queue. */
final class WorkflowListing {
    private WorkflowListing() {}

    static List<WorkflowExecutionInfo> all(WorkflowServiceStubs stubs, String namespace, String query) {
        List<WorkflowExecutionInfo> executions = new ArrayList<>();
        ListWorkflowExecutionsRequest.Builder request = ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setQuery(query);
        do {
            ListWorkflowExecutionsResponse page = stubs.blockingStub().listWorkflowExecutions(request.build());
            executions.addAll(page.getExecutionsList());
            request.setNextPageToken(page.getNextPageToken());
        } while (!request.getNextPageToken().isEmpty());
        return executions;
    }
}
