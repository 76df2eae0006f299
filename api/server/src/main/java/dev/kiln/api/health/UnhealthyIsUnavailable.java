package dev.kiln.api.health;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * Makes {@code /healthcheck} answer 503 instead of 500 when a check fails. A failing check is a dependency that is
 * down (its entry in the body names it), not a bug in kiln-api, and load balancers and probes read 503 as "out of
 * rotation for now" where 500 reads as broken.
 */
public final class UnhealthyIsUnavailable extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void setStatus(int status) {
                super.setStatus(status == SC_INTERNAL_SERVER_ERROR ? SC_SERVICE_UNAVAILABLE : status);
            }
        });
    }
}
