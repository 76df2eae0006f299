package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;

/** Starts the control worker with the app and drains it on shutdown, so in-flight activities finish. */
public final class TemporalWorkers implements Managed {
    private final WorkerFactory factory;
    private final WorkflowServiceStubs stubs;
    private final boolean runWorkers;

    public TemporalWorkers(WorkerFactory factory, WorkflowServiceStubs stubs, boolean runWorkers) {
        this.factory = requireNonNull(factory, "factory is null");
        this.stubs = requireNonNull(stubs, "stubs is null");
        this.runWorkers = runWorkers;
    }

    @Override
    public void start() {
        if (runWorkers) {
            factory.start();
        }
    }

    @Override
    public void stop() {
        factory.shutdown();
        factory.awaitTermination(20, TimeUnit.SECONDS);
        stubs.shutdown();
    }
}
