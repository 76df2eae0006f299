package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.json.JsonMapper;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Sets up a {@link Jdbi} for Kiln's DAOs. */
public final class Jdbis {
    private Jdbis() {}

    /** Installs what the DAOs need on {@code jdbi}, and returns it. */
    public static Jdbi configure(Jdbi jdbi) {
        requireNonNull(jdbi, "jdbi");
        // findAndAddModules picks up JavaTimeModule when jackson-datatype-jsr310 is on the classpath.
        JsonbCodec codec = new JsonbCodec(JsonMapper.builder().findAndAddModules().build());
        WireValueCodec statuses = new WireValueCodec();
        return jdbi.installPlugin(new SqlObjectPlugin())
                .registerArgument(codec)
                .registerColumnMapper(codec)
                .registerArgument(statuses)
                .registerColumnMapper(statuses);
    }

    public static Jdbi create(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource");
        return configure(Jdbi.create(dataSource));
    }
}
