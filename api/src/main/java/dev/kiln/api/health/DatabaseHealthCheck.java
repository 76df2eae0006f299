package dev.kiln.api.health;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.health.HealthCheck;
import org.jdbi.v3.core.Jdbi;

public final class DatabaseHealthCheck extends HealthCheck {
    private final Jdbi jdbi;

    public DatabaseHealthCheck(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    protected Result check() {
        int one = jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
        return one == 1 ? Result.healthy() : Result.unhealthy("SELECT 1 returned " + one);
    }
}
