package dev.kiln.db;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Templates are visible to their team and, for the platform team's, to every team. The platform team id is
 * written out in the SQL as in the migrations, which seed it.
 */
@RegisterConstructorMapper(TemplateRow.class)
public interface TemplateDao {
    /** Throws with SQLSTATE 23505 when the name is taken by the team, or by the platform for a team template. */
    @SqlUpdate("""
            INSERT INTO templates (id, team_id, name, type, image_ref, vcpus, memory_mb, size_bytes, default_user,
                                   default_env, default_workdir, build_id, created_at)
            VALUES (:id, :teamId, :name, :type, :imageRef, :vcpus, :memoryMb, :sizeBytes, :defaultUser,
                    :defaultEnv, :defaultWorkdir, :buildId, COALESCE(:createdAt, now()))
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

    /**
     * Replaces the platform template of that name, if any, with {@code template}, both or neither, and returns
     * the replaced one. Only after the replacement exists may its image go.
     */
    @Transaction
    default Optional<TemplateRow> replacePlatform(TemplateRow template) {
        Optional<TemplateRow> replaced = findOwned(Ids.PLATFORM_TEAM_ID, template.name());
        replaced.ifPresent(old -> deleteById(old.id()));
        insertNamed(template);
        return replaced;
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

    /** The team's and the platform's templates, newest first; of every type when {@code type} is null. */
    @SqlQuery("""
            SELECT * FROM templates
            WHERE team_id IN (:teamId, 'team-0000000000000000000000000')
              AND (:type IS NULL OR type = :type)
            ORDER BY created_at DESC, id
            """)
    List<TemplateRow> listVisible(String teamId, String type);

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

    /** Every team's and the platform's, newest first: the admins' view. */
    @SqlQuery("SELECT * FROM templates ORDER BY created_at DESC, id")
    List<TemplateRow> listAll();

    @SqlUpdate("DELETE FROM templates WHERE id = :id")
    int deleteById(String id);
}
