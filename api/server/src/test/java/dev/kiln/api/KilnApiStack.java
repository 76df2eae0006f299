package dev.kiln.api;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.core.GoldenGcSchedule;
import dev.kiln.db.TestDatabase;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kiln-api on a random port, over a fresh PostgreSQL database and the shared Temporal dev server, or over a
 * database and a Temporal server of the test's own. Each stack polls its own control task queue, so concurrent or
 * leftover runs never take its tasks.
 */
final class KilnApiStack implements BeforeAllCallback, AfterAllCallback {
    /** Where kiln-test.yml points Temporal unless KILN_TEMPORAL_TARGET says otherwise. */
    private static final String TEMPORAL_TARGET = Optional.ofNullable(System.getenv("KILN_TEMPORAL_TARGET"))
            .filter(target -> !target.isBlank())
            .orElse("127.0.0.1:7233");

    final String adminKey = "kiln_it_admin_" + UUID.randomUUID();
    final String controlTaskQueue = "kiln-control-it-" + UUID.randomUUID();
    /** Null when the stack runs on a database of the test's own, which {@link #databaseUrl} names. */
    private final TestDatabase database;
    private final Supplier<String> databaseUrl;
    private final Supplier<String> temporalTarget;
    /** Overrides travel as system properties: a prefix of its own keeps two stacks of one class from mixing them. */
    private final String propertyPrefix = "kiln-it-" + UUID.randomUUID();
    private final Map<String, String> overrides;
    private final int replicas;
    private final List<DropwizardTestSupport<KilnApiConfiguration>> others = new ArrayList<>();
    private final boolean behindProxies;
    private TcpProxy databaseProxy;
    private TcpProxy temporalProxy;
    private DropwizardTestSupport<KilnApiConfiguration> app;
    private Map<String, String> settings;
    private ApiTestClient client;

    KilnApiStack() {
        this(Map.of());
    }

    /** @param overrides configuration keys (dotted paths) set on top of kiln-test.yml */
    KilnApiStack(Map<String, String> overrides) {
        this(overrides, 1);
    }

    /**
     * @param replicas how many kiln-api processes share the database and the control queue; all start at once on
     *     a database nobody has migrated, as replicas deployed together would
     */
    KilnApiStack(Map<String, String> overrides, int replicas) {
        this(overrides, replicas, false, null, () -> TEMPORAL_TARGET);
    }

    private KilnApiStack(Map<String, String> overrides, int replicas, boolean behindProxies,
            Supplier<String> databaseUrl, Supplier<String> temporalTarget) {
        this.overrides = Map.copyOf(overrides);
        this.replicas = replicas;
        this.behindProxies = behindProxies;
        this.database = databaseUrl == null ? new TestDatabase() : null;
        this.databaseUrl = databaseUrl;
        this.temporalTarget = temporalTarget;
    }

    /**
     * A stack that reaches PostgreSQL and Temporal through proxies of its own ({@link #databaseProxy()},
     * {@link #temporalProxy()}), so that a test can take either away from this kiln-api without stopping the shared
     * servers.
     */
    static KilnApiStack behindProxies() {
        return new KilnApiStack(Map.of(), 1, true, null, () -> TEMPORAL_TARGET);
    }

    /**
     * A stack on a PostgreSQL database and a Temporal server of the test's own, for tests that crash them (the
     * machine's are shared). Both are asked for when the stack starts, so extensions registered before it may start
     * them. The database must exist; kiln-api migrates it.
     */
    static KilnApiStack onServicesOf(Supplier<String> databaseUrl, Supplier<String> temporalTarget) {
        return new KilnApiStack(Map.of(), 1, false, requireNonNull(databaseUrl, "databaseUrl is null"),
                requireNonNull(temporalTarget, "temporalTarget is null"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String url;
        if (database != null) {
            database.beforeAll(context);
            url = database.jdbcUrl();
        } else {
            url = databaseUrl.get();
        }
        Map<String, String> settings = new LinkedHashMap<>(Map.of(
                "database.url", url,
                "adminKey", adminKey,
                "temporal.controlTaskQueue", controlTaskQueue,
                "temporal.target", temporalTarget()));
        if (behindProxies) {
            URI postgres = URI.create(url.substring("jdbc:".length()));
            databaseProxy = TcpProxy.to(postgres.getHost(), postgres.getPort());
            settings.put("database.url", url.replace(
                    postgres.getHost() + ":" + postgres.getPort(), "127.0.0.1:" + databaseProxy.port()));
            URI temporal = URI.create("grpc://" + temporalTarget());
            temporalProxy = TcpProxy.to(temporal.getHost(), temporal.getPort());
            settings.put("temporal.target", "127.0.0.1:" + temporalProxy.port());
        }
        settings.putAll(overrides);
        List<CompletableFuture<DropwizardTestSupport<KilnApiConfiguration>>> starting = new ArrayList<>();
        for (int replica = 1; replica < replicas; replica++) {
            String prefix = propertyPrefix + "-replica-" + replica;
            starting.add(CompletableFuture.supplyAsync(() -> started(settings, prefix)));
        }
        start(settings);
        for (CompletableFuture<DropwizardTestSupport<KilnApiConfiguration>> replica : starting) {
            others.add(replica.get());
        }
    }

    private void start(Map<String, String> settings) {
        app = started(settings, propertyPrefix);
        client = new ApiTestClient(app.getLocalPort());
        this.settings = settings;
    }

    /** Overrides travel as system properties, so each process of the stack reads them under a prefix of its own. */
    private static DropwizardTestSupport<KilnApiConfiguration> started(Map<String, String> settings, String prefix) {
        DropwizardTestSupport<KilnApiConfiguration> support = new DropwizardTestSupport<>(KilnApiApplication.class,
                ResourceHelpers.resourceFilePath("kiln-test.yml"), prefix, settings.entrySet().stream()
                        .map(setting -> ConfigOverride.config(prefix, setting.getKey(), setting.getValue()))
                        .toArray(ConfigOverride[]::new));
        try {
            support.before();
        } catch (Exception e) {
            throw new IllegalStateException("kiln-api did not start", e);
        }
        return support;
    }

    /** The application port of the stack's {@code index}th replica (0 is the main one, which {@link #port} gives). */
    int replicaPort(int index) {
        return index == 0 ? port() : others.get(index - 1).getLocalPort();
    }

    /**
     * Stops kiln-api (its HTTP server, its control worker and its Temporal client) as a crash would take it away,
     * runs {@code whileDown}, and starts it again on the same port, so that hosts find it where they left it.
     */
    void restart(ThrowingRunnable whileDown) throws Exception {
        int port = app.getLocalPort();
        app.after();
        whileDown.run();
        Map<String, String> samePort = new LinkedHashMap<>(settings);
        samePort.put("server.applicationConnectors[0].port", String.valueOf(port));
        start(samePort);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (behindProxies) {
            // Shutting down drains the control worker, which needs Temporal, even after a test left it cut off.
            databaseProxy.restore();
            temporalProxy.restore();
        }
        others.forEach(DropwizardTestSupport::after);
        if (app != null) {
            app.after();
            HistoryRecorder.recordIfAsked(app.getConfiguration().getTemporal().getTarget(), controlTaskQueue);
        }
        removeWhatTheStackLeftInTemporal();
        if (database != null) {
            database.afterAll(context);
        }
        if (behindProxies) {
            databaseProxy.close();
            temporalProxy.close();
        }
    }

    /**
     * What the stack started in Temporal that nothing ends once its kiln-api is gone: the GC schedule of its control
     * queue, which would fire daily into a dead queue, and the workflows still running there (the lease sweeper, the
     * lifecycles of hosts no test deleted, sandboxes a failed test left), which would stay among the demo stack's in
     * the Temporal UI for good. Histories are recorded before this, so open workflows are saved as far as they got.
     */
    private void removeWhatTheStackLeftInTemporal() {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(app == null ? temporalTarget() : app.getConfiguration().getTemporal().getTarget()).build());
        try {
            try {
                ScheduleClient.newInstance(stubs).getHandle(GoldenGcSchedule.scheduleId(controlTaskQueue)).delete();
            } catch (ScheduleException notScheduled) {
                // the stack never got as far as scheduling it
            }
            terminateRunningWorkflows(stubs);
        } finally {
            stubs.shutdown();
        }
    }

    private void terminateRunningWorkflows(WorkflowServiceStubs stubs) {
        WorkflowClient temporal = WorkflowClient.newInstance(stubs);
        for (WorkflowExecutionInfo running : WorkflowListing.all(stubs, temporal.getOptions().getNamespace(),
                "TaskQueue = '" + controlTaskQueue + "' AND ExecutionStatus = 'Running'")) {
            WorkflowExecution execution = running.getExecution();
            try {
                temporal.newUntypedWorkflowStub(execution.getWorkflowId(), Optional.of(execution.getRunId()),
                        Optional.empty()).terminate("the test stack that ran it has stopped");
            } catch (WorkflowNotFoundException endedMeanwhile) {
                // ended on its own between the listing and now
            }
        }
    }

    String adminKeyId() {
        return KilnApiApplication.seededAdminKeyId(adminKey);
    }

    ApiTestClient client() {
        return client;
    }

    int port() {
        return app.getLocalPort();
    }

    int adminPort() {
        return app.getAdminPort();
    }

    TcpProxy databaseProxy() {
        return requireNonNull(databaseProxy, "not a stack behind proxies");
    }

    TcpProxy temporalProxy() {
        return requireNonNull(temporalProxy, "not a stack behind proxies");
    }

    /** The Temporal server itself, whichever address kiln-api reaches it by: where the stack's hosts go. */
    String temporalTarget() {
        return temporalTarget.get();
    }

    TestDatabase database() {
        if (database == null) {
            throw new IllegalStateException("this stack runs on a database of the test's own, not a TestDatabase");
        }
        return database;
    }

    KilnApiConfiguration configuration() {
        return app.getConfiguration();
    }
}
