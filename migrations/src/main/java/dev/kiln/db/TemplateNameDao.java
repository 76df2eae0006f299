package dev.kiln.db;

import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Claims on template names, which are held from a build's or snapshot's submit until it publishes or ends. Two
 * submits of one name must not both be accepted: each takes the name's lock in its transaction, then looks for a
 * holder, then inserts its own build or snapshot row, so the second submit waits for the first to commit and finds
 * its row. The lock is on a hash of the name; two names that collide only wait for each other.
 *
 * <p>Names follow {@link TemplateDao#nameTaken}: a team's names and the platform's share one space, and the
 * platform's clashes with every team's.
 */
public interface TemplateNameDao {
    /** Holds the name until the transaction ends; call it inside the transaction that inserts the claimant. */
    @SqlQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('kiln.template-name:' || :name, 0))")
    int lock(String name);

    /**
     * What holds the name in the team's space, as "template tpl-..", "build bld-.." or "snapshot snap-..": a build or
     * snapshot still making a version of it, or a template of that name in a space that clashes with the team's. The
     * team's own template of that name holds nothing: a new build or snapshot of it becomes its next version.
     */
    @SqlQuery("""
            SELECT holder FROM (
                SELECT 'template ' || id AS holder, team_id FROM templates WHERE name = :name AND team_id <> :teamId
                UNION ALL
                SELECT 'build ' || id, team_id FROM template_builds
                WHERE name = :name AND status IN ('pending', 'running')
                UNION ALL
                SELECT 'snapshot ' || id, team_id FROM snapshots WHERE name = :name AND status = 'running'
            ) holders
            WHERE team_id IN (:teamId, 'team-0000000000000000000000000') OR :teamId = 'team-0000000000000000000000000'
            ORDER BY holder
            LIMIT 1
            """)
    Optional<String> holder(String teamId, String name);
}
