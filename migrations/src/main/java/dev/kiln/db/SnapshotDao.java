package dev.kiln.db;

import dev.kiln.model.SnapshotStatus;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(SnapshotRow.class)
public interface SnapshotDao {
    @SqlUpdate("""
            INSERT INTO snapshots (id, team_id, sandbox_id, name, mode, status, created_by, created_at)
            VALUES (:id, :teamId, :sandboxId, :name, :mode, :status, :createdBy, COALESCE(:createdAt, now()))
            """)
    void insert(@BindMethods SnapshotRow snapshot);

    @SqlQuery("SELECT * FROM snapshots WHERE id = :id")
    Optional<SnapshotRow> findById(String id);

    /** Sets the outcome once: a retried activity after the first write changes nothing. */
    @SqlUpdate("""
            UPDATE snapshots SET status = :status, template_id = :templateId, error = :error, finished_at = :now
            WHERE id = :id AND status = 'running'
            """)
    int finish(String id, SnapshotStatus status, String templateId, String error, Instant now);
}
