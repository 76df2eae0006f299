package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestDatabaseIT {
    @Test
    void createsAMigratedDatabaseAndDropsIt() throws Exception {
        TestDatabase db = new TestDatabase();
        db.beforeAll(null);
        String name;
        try {
            name = db.jdbi().withHandle(h -> h.select("SELECT current_database()").mapTo(String.class).one());
            assertThat(name).startsWith("kiln_test_");
            assertThat(db.jdbcUrl()).endsWith("/" + name);
            assertThat(db.jdbi().onDemand(TeamDao.class).findById(Ids.PLATFORM_TEAM_ID)).isPresent();
            // Left open on purpose: the drop must not be blocked by a connection a test forgot.
            db.dataSource().getConnection();
        } finally {
            db.afterAll(null);
        }
        TestDatabase other = new TestDatabase();
        other.beforeAll(null);
        try {
            int left = other.jdbi().withHandle(h -> h.select("SELECT count(*) FROM pg_database WHERE datname = ?", name)
                    .mapTo(Integer.class).one());
            assertThat(left).isZero();
        } finally {
            other.afterAll(null);
        }
        assertThatThrownBy(db::jdbi).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withDatabaseReplacesOnlyTheDatabase() {
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:5432/kiln", "other"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/other");
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://db:5433/kiln?sslmode=disable", "other"))
                .isEqualTo("jdbc:postgresql://db:5433/other?sslmode=disable");
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://db/?user=x", "other"))
                .isEqualTo("jdbc:postgresql://db/other?user=x");
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://db", "other")).isEqualTo("jdbc:postgresql://db/other");
        assertThatThrownBy(() -> TestDatabase.withDatabase("jdbc:mysql://db/kiln", "other"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
