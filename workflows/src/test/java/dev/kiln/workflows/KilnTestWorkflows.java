package dev.kiln.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.List;

/**
 * The time-skipping test server as Kiln's workers run workflows: every search attribute they upsert registered, and
 * the activity summaries interceptor installed.
 */
public final class KilnTestWorkflows {
    private static final List<SearchAttributeKey<String>> KEYS = List.of(SearchAttributeKeys.STATUS,
            SearchAttributeKeys.KIND, SearchAttributeKeys.TEMPLATE, SearchAttributeKeys.PROJECT, SearchAttributeKeys.HOST,
            SearchAttributeKeys.TEAM);

    private KilnTestWorkflows() {}

    /** Not started, so that a test registers its activity fakes on the workers first and then starts it. */
    public static TestWorkflowExtension extension(Class<?>... workflowImplementations) {
        TestWorkflowExtension.Builder builder = TestWorkflowExtension.newBuilder()
                .registerWorkflowImplementationTypes(workflowImplementations)
                .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(new ActivitySummaries())
                        .build())
                .setDoNotStart(true);
        KEYS.forEach(key -> builder.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        return builder.build();
    }
}
