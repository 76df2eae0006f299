package dev.kiln.db;

import dev.kiln.model.HostStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(HostRow.class)
public interface HostDao {
    @SqlUpdate("""
            INSERT INTO hosts (id, type, team_id, status, arch, cpu_cores, memory_mb, disk_gb, address, labels, load,
                               last_heartbeat_at, created_by, created_at, updated_at)
            VALUES (:id, :type, :teamId, :status, :arch, :cpuCores, :memoryMb, :diskGb, :address, :labels, :load,
                    :lastHeartbeatAt, :createdBy, COALESCE(:createdAt, now()), COALESCE(:updatedAt, now()))
            """)
    void insert(@BindMethods HostRow host);

    @SqlQuery("SELECT * FROM hosts WHERE id = :id")
    Optional<HostRow> findById(String id);

    @SqlQuery("SELECT * FROM hosts ORDER BY created_at DESC, id")
    List<HostRow> list();

    /** Only a pending host registers: a second registration with the same host id changes nothing. */
    @SqlUpdate("""
            UPDATE hosts
            SET status = 'online', arch = :arch, cpu_cores = :cpuCores, memory_mb = :memoryMb, disk_gb = :diskGb,
                address = :address, last_heartbeat_at = :now, updated_at = :now
            WHERE id = :id AND status = 'pending'
            """)
    int markRegistered(String id, String arch, int cpuCores, long memoryMb, long diskGb, String address, Instant now);

    /**
     * Records the load and time of a heartbeat. The status is the host workflow's to change: it marks a returning
     * host online and reconciles its sandboxes in one place.
     */
    @SqlUpdate("""
            UPDATE hosts
            SET load = :load, last_heartbeat_at = :now, updated_at = :now
            WHERE id = :id
            """)
    int recordHeartbeat(String id, @Jsonb Map<String, Object> load, Instant now);

    /**
     * Online hosts of that type that have been heard from since {@code heartbeatAfter}: a team's BYOC hosts for a
     * team id, the shared hosts (which have no team) for null.
     */
    @SqlQuery("""
            SELECT * FROM hosts
            WHERE status = 'online' AND NOT draining AND last_heartbeat_at > :heartbeatAfter AND type = :type
              AND team_id IS NOT DISTINCT FROM :teamId
            ORDER BY created_at, id
            """)
    List<HostRow> listPlaceable(String type, String teamId, Instant heartbeatAfter);

    @SqlUpdate("UPDATE hosts SET status = :status, updated_at = :now WHERE id = :id")
    int setStatus(String id, HostStatus status, Instant now);

    @SqlUpdate("UPDATE hosts SET status = 'unreachable', updated_at = :now WHERE id = :id AND status = 'online'")
    int markUnreachable(String id, Instant now);

    @SqlUpdate("UPDATE hosts SET status = 'online', updated_at = :now WHERE id = :id AND status = 'unreachable'")
    int markOnline(String id, Instant now);

    @SqlUpdate("UPDATE hosts SET draining = :draining, updated_at = :now WHERE id = :id")
    int setDraining(String id, boolean draining, Instant now);

    @SqlUpdate("DELETE FROM hosts WHERE id = :id")
    int deleteById(String id);
}
