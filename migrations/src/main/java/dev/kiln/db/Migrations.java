package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/** Brings a Kiln database up to the newest schema. */
public final class Migrations {
    private static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    public static void migrate(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource");
        migrate(Flyway.configure().dataSource(dataSource));
    }

    public static void migrate(String jdbcUrl, String user, String password) {
        requireNonNull(jdbcUrl, "jdbcUrl");
        migrate(Flyway.configure().dataSource(jdbcUrl, user, password));
    }

    private static void migrate(FluentConfiguration configuration) {
        // A jar packaged without the scripts would otherwise "migrate" to an empty schema and fail much later.
        configuration.locations(LOCATION).failOnMissingLocations(true).load().migrate();
    }
}
