package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.GoldenStatus;
import dev.kiln.model.HostStatus;
import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SessionStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.model.TagMoveReason;
import dev.kiln.model.WireValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The status enums and the schema spell every status the same way: each enum's stored values are exactly the list
 * the column's CHECK constraint allows, so neither can gain or lose a value without the other.
 */
class StatusSpellingIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    @Test
    void everyStatusEnumMatchesItsColumnsCheckConstraint() {
        assertThat(allowed("template_builds")).containsExactlyInAnyOrderElementsOf(spellings(BuildStatus.values()));
        assertThat(allowed("sandboxes")).containsExactlyInAnyOrderElementsOf(spellings(SandboxStatus.values()));
        assertThat(allowed("snapshots")).containsExactlyInAnyOrderElementsOf(spellings(SnapshotStatus.values()));
        assertThat(allowed("golden_hosts")).containsExactlyInAnyOrderElementsOf(spellings(GoldenStatus.values()));
        assertThat(allowed("golden_builds")).containsExactlyInAnyOrderElementsOf(spellings(GoldenBuildStatus.values()));
        assertThat(allowed("sessions")).containsExactlyInAnyOrderElementsOf(spellings(SessionStatus.values()));
        assertThat(allowed("hosts")).containsExactlyInAnyOrderElementsOf(
                spellings(Arrays.stream(HostStatus.values()).filter(HostStatus::stored).toArray(HostStatus[]::new)));
    }

    @Test
    void aStatusIsStoredAndReadBackAsItsEnum() {
        HostRow host = Fixtures.host("regular", null, HostStatus.UNREACHABLE);
        HostDao hosts = db.jdbi().onDemand(HostDao.class);
        hosts.insert(host);

        String stored = db.jdbi().withHandle(handle -> handle.createQuery("SELECT status FROM hosts WHERE id = :id")
                .bind("id", host.id()).mapTo(String.class).one());
        assertThat(stored).isEqualTo("unreachable");
        assertThat(hosts.findById(host.id()).orElseThrow().status()).isEqualTo(HostStatus.UNREACHABLE);
    }

    @Test
    void tagMoveReasonsMatchTheirColumnsCheckConstraint() {
        assertThat(allowed("template_tag_moves", "reason"))
                .containsExactlyInAnyOrderElementsOf(spellings(TagMoveReason.values()));
    }

    private static List<String> allowed(String table) {
        return allowed(table, "status");
    }

    /** The values {@code table.column}'s CHECK constraint lists, read from the catalog of the migrated database. */
    private static List<String> allowed(String table, String column) {
        String definition = db.jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT pg_get_constraintdef(c.oid)
                        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                        WHERE t.relname = :table AND c.contype = 'c'
                          AND pg_get_constraintdef(c.oid) LIKE '%(' || :column || '%'
                        """)
                .bind("table", table).bind("column", column).mapTo(String.class).one());
        Matcher quoted = QUOTED.matcher(definition);
        List<String> values = new ArrayList<>();
        while (quoted.find()) {
            values.add(quoted.group(1));
        }
        return values;
    }

    private static List<String> spellings(WireValue[] values) {
        return Arrays.stream(values).map(WireValue::wire).toList();
    }
}
