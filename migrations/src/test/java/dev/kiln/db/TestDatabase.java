package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A freshly migrated database of its own for each test class, on the PostgreSQL server named by
 * {@code KILN_TEST_DB_URL}, {@code KILN_TEST_DB_USER} and {@code KILN_TEST_DB_PASSWORD} (whose user needs
 * CREATEDB). Register it in a static field, {@code @RegisterExtension static TestDatabase db = new TestDatabase();}:
 * the database lives from before the class's first test to after its last.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
    private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/kiln";

    private final String serverUrl;
    private final String user;
    private final String password;
    private String databaseName;
    private String jdbcUrl;
    private PGSimpleDataSource dataSource;
    private Jdbi jdbi;

    public TestDatabase() {
        this.serverUrl = env("KILN_TEST_DB_URL", DEFAULT_URL);
        this.user = env("KILN_TEST_DB_USER", "kiln");
        this.password = env("KILN_TEST_DB_PASSWORD", "kiln");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        String name = "kiln_test_" + Ids.randomTokenHex(8);
        // Names can't be bound as parameters; this one is made here of hex digits only, so splicing it is safe.
        execute("CREATE DATABASE " + name);
        databaseName = name;
        jdbcUrl = withDatabase(serverUrl, name);
        dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        Migrations.migrate(dataSource);
        jdbi = Jdbis.create(dataSource);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (databaseName == null) {
            return;
        }
        // FORCE ends the connections a test left open (pools, a handle it never closed), which would block the drop.
        execute("DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
        databaseName = null;
        jdbcUrl = null;
        dataSource = null;
        jdbi = null;
    }

    public String jdbcUrl() {
        return started(jdbcUrl);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public DataSource dataSource() {
        return started(dataSource);
    }

    public Jdbi jdbi() {
        return started(jdbi);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static <T> T started(T value) {
        if (value == null) {
            throw new IllegalStateException(
                    "TestDatabase is not running: register it in a static @RegisterExtension field");
        }
        return value;
    }

    /** The server URL with its database, the path after host and port, replaced and its query string kept. */
    static String withDatabase(String url, String database) {
        requireNonNull(url, "url");
        String prefix = "jdbc:postgresql://";
        if (!url.toLowerCase(Locale.ROOT).startsWith(prefix)) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + url);
        }
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', prefix.length());
        String hosts = slash < 0 ? base : base.substring(0, slash);
        return hosts + "/" + database + params;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
