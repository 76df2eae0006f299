package dev.kiln.host;

import static java.util.Objects.requireNonNull;

import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.kiln.activities.golden.GoldenCopyListener;
import dev.kiln.workflows.TemporalMetrics;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * kiln-host's Prometheus metrics, served at {@code GET /metrics} on the admin port: the Temporal SDK's worker
 * metrics for this host's {@code host-<id>} queue (schedule-to-start latency above all), golden copy throughput,
 * and the JVM's. The fleet-wide gauges (hosts, heartbeats, sandboxes, builds) come from kiln-api, which reads them
 * from the database.
 */
final class HostMetrics implements GoldenCopyListener {
    private final PrometheusMeterRegistry registry;
    private final Scope temporalScope;
    private final Counter copiedBytes;
    private final Counter copySeconds;

    private HostMetrics(PrometheusMeterRegistry registry, Scope temporalScope) {
        this.registry = registry;
        this.temporalScope = temporalScope;
        // Two counters rather than a histogram: rate(bytes) / rate(seconds) is the throughput over any window.
        copiedBytes = Counter.builder("kiln.golden.copy.bytes").baseUnit("bytes")
                .description("Bytes of golden caches copied into new sessions on this host").register(registry);
        copySeconds = Counter.builder("kiln.golden.copy.seconds")
                .description("Seconds spent copying golden caches into new sessions on this host").register(registry);
    }

    /** Makes the registry and mounts {@code /metrics}; install it before the Temporal worker is managed. */
    static HostMetrics install(Environment environment) {
        requireNonNull(environment, "environment is null");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // First: it configures a meter filter, which must come before any meter is registered.
        Scope temporalScope = TemporalMetrics.scope(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // Managed before the worker, so stopped after it: the SDK's last report lands before the scope closes.
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws ScopeCloseException {
                temporalScope.close();
            }
        });
        // An exact mapping outranks the admin servlet's /* (whose /metrics is Dropwizard's JSON metrics).
        environment.admin().addServlet("prometheus", new MetricsServlet(registry)).addMapping("/metrics");
        return new HostMetrics(registry, temporalScope);
    }

    Scope temporalScope() {
        return temporalScope;
    }

    @Override
    public void copied(long bytes, Duration elapsed) {
        copiedBytes.increment(bytes);
        copySeconds.increment(elapsed.toNanos() / 1e9);
    }
}
