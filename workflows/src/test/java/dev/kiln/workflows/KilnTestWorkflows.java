package dev.kiln.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The time-skipping test server as Kiln's workers run workflows: every search attribute they upsert registered, and
 * the activity summaries interceptor installed.
 */
public final class KilnTestWorkflows {
    private static final List<SearchAttributeKey<String>> KEYS = List.of(SearchAttributeKeys.STATUS,
            SearchAttributeKeys.KIND, SearchAttributeKeys.TEMPLATE, SearchAttributeKeys.PROJECT, SearchAttributeKeys.HOST,
            SearchAttributeKeys.TEAM);

    public static final List<String> FLEET = List.of("host-1", "host-2", "host-3");

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

    /** The three hosts of the fleet tests, one fake each, keyed by host id. */
    public static <T> Map<String, T> perHost(Function<String, T> fake) {
        return FLEET.stream().collect(Collectors.toUnmodifiableMap(hostId -> hostId, fake));
    }

    /**
     * Registers the control side's fakes on the control worker and each host's fakes on a worker polling that host's
     * task queue, as the fleet's kiln-host workers do, then starts the environment. Every host polls, including
     * those a test reports away, so that an activity sent to one would show in the test's log.
     */
    @SafeVarargs
    public static void startFleet(TestWorkflowEnvironment environment, Worker controlWorker, Object control,
            Map<String, ?>... hostFakes) {
        controlWorker.registerActivitiesImplementations(control);
        for (String hostId : FLEET) {
            Object[] fakes = Arrays.stream(hostFakes).map(fakesByHost -> fakesByHost.get(hostId)).toArray();
            environment.newWorker(TaskQueues.host(hostId)).registerActivitiesImplementations(fakes);
        }
        environment.start();
    }
}
