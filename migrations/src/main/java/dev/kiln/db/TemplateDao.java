package dev.kiln.db;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Template names. Templates are visible to their team and, for the platform team's, to every team. The platform
 * team id is written out in the SQL as in the migrations, which seed it. Versions and tags are
 * {@link TemplateVersionDao}'s.
 */
@RegisterConstructorMapper(TemplateRow.class)
@RegisterConstructorMapper(TemplateAtVersion.class)
public interface TemplateDao {
    /** Throws with SQLSTATE 23505 when the name is taken by the team, or by the platform for a team template. */
    @SqlUpdate("""
            INSERT INTO templates (id, team_id, name, created_at)
            VALUES (:id, :teamId, :name, COALESCE(:createdAt, now()))
            """)
    void insert(@BindMethods TemplateRow template);

    /** {@link #insert} with a refused name reported as such. */
    default void insertNamed(TemplateRow template) {
        try {
            insert(template);
        } catch (UnableToExecuteStatementException e) {
            // 23505 is unique_violation: raised by the (team_id, name) constraint and by the shadowing trigger.
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                throw new TemplateNameTakenException(template.name(), e);
            }
            throw e;
        }
    }

    @SqlQuery("SELECT * FROM templates WHERE id = :id")
    Optional<TemplateRow> findById(String id);

    /** The team's template of that name, else the platform's. */
    @SqlQuery("""
            SELECT * FROM templates
            WHERE name = :name AND team_id IN (:teamId, 'team-0000000000000000000000000')
            ORDER BY team_id = 'team-0000000000000000000000000'
            LIMIT 1
            """)
    Optional<TemplateRow> findVisible(String teamId, String name);

    /**
     * The team's and the platform's templates at their {@code latest}, newest template first; of every type when
     * {@code type} is null, else those whose latest version is of that type.
     */
    @SqlQuery("""
            SELECT t.id AS t_id, t.team_id AS t_team_id, t.name AS t_name, t.created_at AS t_created_at, v.*
            FROM templates t
            JOIN template_tags g ON g.template_id = t.id AND g.tag = 'latest'
            JOIN template_versions v ON v.template_id = g.template_id AND v.version = g.version
            WHERE t.team_id IN (:teamId, 'team-0000000000000000000000000')
              AND (:type IS NULL OR v.type = :type)
            ORDER BY t.created_at DESC, t.id
            """)
    List<TemplateAtVersion> listVisible(String teamId, String type);

    /**
     * Whether {@link #insert} would refuse a template of that name for that team: the team or the platform has it,
     * or, for the platform itself, any team has it.
     */
    @SqlQuery("""
            SELECT EXISTS (
                SELECT 1 FROM templates
                WHERE name = :name
                  AND (team_id IN (:teamId, 'team-0000000000000000000000000')
                       OR :teamId = 'team-0000000000000000000000000'))
            """)
    boolean nameTaken(String teamId, String name);

    @SqlQuery("SELECT * FROM templates WHERE team_id = :teamId AND name = :name")
    Optional<TemplateRow> findOwned(String teamId, String name);

    /** Every team's and the platform's at their {@code latest}, newest template first: the admins' view. */
    @SqlQuery("""
            SELECT t.id AS t_id, t.team_id AS t_team_id, t.name AS t_name, t.created_at AS t_created_at, v.*
            FROM templates t
            JOIN template_tags g ON g.template_id = t.id AND g.tag = 'latest'
            JOIN template_versions v ON v.template_id = g.template_id AND v.version = g.version
            ORDER BY t.created_at DESC, t.id
            """)
    List<TemplateAtVersion> listAll();

    /** Deletes the template with its versions, tags and tag history. */
    @SqlUpdate("DELETE FROM templates WHERE id = :id")
    int deleteById(String id);
}
