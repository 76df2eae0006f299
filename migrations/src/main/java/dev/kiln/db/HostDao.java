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
    /**
     * A host as the API shows it: its last heartbeat is its lease's renewal, which every heartbeat writes, while the
     * hosts row itself is written only when the load changes.
     */
    String SELECT = """
            SELECT h.id, h.type, h.team_id, h.status, h.arch, h.cpu_cores, h.memory_mb, h.disk_gb, h.address, h.labels,
                   h.load, COALESCE(l.renewed_at, h.last_heartbeat_at) AS last_heartbeat_at, h.created_by,
                   h.created_at, h.updated_at, h.draining
            FROM hosts h LEFT JOIN host_leases l ON l.host_id = h.id
            """;

    @SqlUpdate("""
            INSERT INTO hosts (id, type, team_id, status, arch, cpu_cores, memory_mb, disk_gb, address, labels, load,
                               last_heartbeat_at, created_by, created_at, updated_at)
            VALUES (:id, :type, :teamId, :status, :arch, :cpuCores, :memoryMb, :diskGb, :address, :labels, :load,
                    :lastHeartbeatAt, :createdBy, COALESCE(:createdAt, now()), COALESCE(:updatedAt, now()))
            """)
    void insert(@BindMethods HostRow host);

    @SqlQuery(SELECT + "WHERE h.id = :id")
    Optional<HostRow> findById(String id);

    @SqlQuery(SELECT + "ORDER BY h.created_at DESC, h.id")
    List<HostRow> list();

    /**
     * Only a host that never registered does: a second registration with the same host id changes nothing. The host
     * stays pending: it is online once a heartbeat from its running kiln-host has been answered by its worker.
     */
    @SqlUpdate("""
            UPDATE hosts
            SET arch = :arch, cpu_cores = :cpuCores, memory_mb = :memoryMb, disk_gb = :diskGb, address = :address,
                registered_at = :now, updated_at = :now
            WHERE id = :id AND status = 'pending' AND registered_at IS NULL
            """)
    int markRegistered(String id, String arch, int cpuCores, long memoryMb, long diskGb, String address, Instant now);

    /** True until the host has registered: only then may it get a new registration token. */
    @SqlQuery("SELECT registered_at IS NULL FROM hosts WHERE id = :id")
    Optional<Boolean> awaitsRegistration(String id);

    /**
     * Records the load a heartbeat carried. Hosts send it only when it changed noticeably or every few minutes, so
     * this is not written per heartbeat; the status is the host workflow's to change.
     */
    @SqlUpdate("""
            UPDATE hosts
            SET load = :load, last_heartbeat_at = :now, updated_at = :now
            WHERE id = :id
            """)
    int recordLoad(String id, @Jsonb Map<String, Object> load, Instant now);

    /**
     * Online hosts of that type whose lease is live at {@code now}: a team's BYOC hosts for a team id, the shared
     * hosts (which have no team) for null.
     */
    @SqlQuery(SELECT + """
            WHERE h.status = 'online' AND NOT h.draining AND l.state = 'live' AND l.expires_at > :now
              AND h.type = :type AND h.team_id IS NOT DISTINCT FROM :teamId
            ORDER BY h.created_at, h.id
            """)
    List<HostRow> listPlaceable(String type, String teamId, Instant now);

    @SqlUpdate("UPDATE hosts SET status = :status, updated_at = :now WHERE id = :id")
    int setStatus(String id, HostStatus status, Instant now);

    @SqlUpdate("UPDATE hosts SET status = 'unreachable', updated_at = :now WHERE id = :id AND status = 'online'")
    int markUnreachable(String id, Instant now);

    /** A registered host first heard from (pending), or one back from an outage (unreachable). */
    @SqlUpdate("""
            UPDATE hosts SET status = 'online', updated_at = :now
            WHERE id = :id AND status IN ('pending', 'unreachable') AND registered_at IS NOT NULL
            """)
    int markOnline(String id, Instant now);

    @SqlUpdate("UPDATE hosts SET draining = :draining, updated_at = :now WHERE id = :id")
    int setDraining(String id, boolean draining, Instant now);

    @SqlUpdate("DELETE FROM hosts WHERE id = :id")
    int deleteById(String id);
}
