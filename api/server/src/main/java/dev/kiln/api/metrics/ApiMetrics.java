package dev.kiln.api.metrics;

import static java.util.Objects.requireNonNull;

import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.kiln.workflows.TemporalMetrics;
import dev.kiln.api.control.RecordMetrics;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * kiln-api's Prometheus metrics, served at {@code GET /metrics} on the admin port: the database gauges (hosts,
 * heartbeats, sandboxes, builds, goldens), the build and step histograms and golden build counter the control
 * worker records, the Temporal SDK's worker and client metrics, and the JVM's. The metric names are listed in
 * {@code dashboards/README.md}.
 */
public final class ApiMetrics {
    private final BuildMeters records;
    private final Scope temporalScope;

    private ApiMetrics(PrometheusMeterRegistry registry, Scope temporalScope) {
        this.records = new BuildMeters(registry);
        this.temporalScope = temporalScope;
    }

    /**
     * Makes the registry and mounts {@code /metrics} on the admin port. Install it before the Temporal workers are
     * managed: Dropwizard stops managed objects in reverse, so the SDK's last report lands before the scope closes.
     */
    public static ApiMetrics install(Environment environment, Jdbi jdbi, Duration buildDeadline, Clock clock) {
        requireNonNull(environment, "environment is null");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // First: it configures a meter filter, which must come before any meter is registered.
        Scope temporalScope = TemporalMetrics.scope(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        DatabaseGauges gauges = new DatabaseGauges(jdbi, registry, buildDeadline, clock);
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws ScopeCloseException {
                temporalScope.close();
            }
        });
        // An exact mapping outranks the admin servlet's /* (whose /metrics is Dropwizard's JSON metrics).
        environment.admin().addServlet("prometheus", new MetricsServlet(registry, gauges::refresh))
                .addMapping("/metrics");
        return new ApiMetrics(registry, temporalScope);
    }

    /** For the Temporal service stubs ({@code WorkflowServiceStubsOptions.setMetricsScope}). */
    public Scope temporalScope() {
        return temporalScope;
    }

    /** For the control-side record activities. */
    public RecordMetrics records() {
        return records;
    }
}
