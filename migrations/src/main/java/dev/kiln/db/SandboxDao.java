package dev.kiln.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(SandboxRow.class)
public interface SandboxDao {
    @SqlUpdate("""
            INSERT INTO sandboxes (id, team_id, template_id, host_id, container_id, status, vcpus, memory_mb,
                                   created_at, updated_at)
            VALUES (:id, :teamId, :templateId, :hostId, :containerId, :status, :vcpus, :memoryMb,
                    COALESCE(:createdAt, now()), COALESCE(:updatedAt, now()))
            """)
    void insert(@BindMethods SandboxRow sandbox);

    @SqlQuery("SELECT * FROM sandboxes WHERE id = :id")
    Optional<SandboxRow> findById(String id);

    @SqlQuery("SELECT * FROM sandboxes WHERE host_id = :hostId AND status IN (<statuses>) ORDER BY created_at, id")
    List<SandboxRow> listOnHost(String hostId, @BindList("statuses") List<String> statuses);

    /** The host went silent: what was running there may be gone, and nobody can say yet. */
    @SqlQuery("""
            UPDATE sandboxes SET status = 'missing', updated_at = :now
            WHERE host_id = :hostId AND status IN ('running', 'starting')
            RETURNING id
            """)
    List<String> markMissingOnHost(String hostId, Instant now);

    @SqlUpdate("UPDATE sandboxes SET status = :status, updated_at = :now WHERE id = :id AND status = :expected")
    int transition(String id, String expected, String status, Instant now);

    @SqlQuery("""
            UPDATE sandboxes SET status = 'stopped', updated_at = :now
            WHERE host_id = :hostId AND status <> 'stopped'
            RETURNING id
            """)
    List<String> markStoppedOnHost(String hostId, Instant now);
}
