package dev.kiln.api.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /metrics} on the admin port: the registry in Prometheus text format 0.0.4. */
final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** The classic text format, which every Prometheus version scrapes; {@code scrape()} writes it. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient PrometheusMeterRegistry registry;
    private final transient Runnable beforeScrape;

    /** @param beforeScrape brings gauges read from elsewhere (the database) up to date; runs on every scrape */
    MetricsServlet(PrometheusMeterRegistry registry, Runnable beforeScrape) {
        this.registry = requireNonNull(registry, "registry is null");
        this.beforeScrape = requireNonNull(beforeScrape, "beforeScrape is null");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        beforeScrape.run();
        String body = registry.scrape();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }
}
