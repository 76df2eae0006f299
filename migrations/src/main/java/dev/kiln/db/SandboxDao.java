package dev.kiln.db;

import dev.kiln.model.SandboxStatus;
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
                                   template_name, default_user, default_env, default_workdir, created_at, updated_at,
                                   template_version)
            VALUES (:id, :teamId, :templateId, :hostId, :containerId, :status, :vcpus, :memoryMb,
                    :templateName, :defaultUser, :defaultEnv, :defaultWorkdir,
                    COALESCE(:createdAt, now()), COALESCE(:updatedAt, now()), :templateVersion)
            """)
    void insert(@BindMethods SandboxRow sandbox);

    @SqlQuery("SELECT * FROM sandboxes WHERE id = :id")
    Optional<SandboxRow> findById(String id);

    /** The team's sandboxes, newest first; stopped ones only since {@code stoppedSince}, so the list stays short. */
    @SqlQuery("""
            SELECT * FROM sandboxes
            WHERE team_id = :teamId AND (status <> 'stopped' OR updated_at > :stoppedSince)
            ORDER BY created_at DESC, id
            LIMIT 500
            """)
    List<SandboxRow> listForTeam(String teamId, Instant stoppedSince);

    @SqlQuery("SELECT * FROM sandboxes WHERE host_id = :hostId AND status IN (<statuses>) ORDER BY created_at, id")
    List<SandboxRow> listOnHost(String hostId, @BindList("statuses") List<SandboxStatus> statuses);

    /** The host went silent: what was running there may be gone, and nobody can say yet. */
    @SqlQuery("""
            UPDATE sandboxes SET status = 'missing', updated_at = :now
            WHERE host_id = :hostId AND status IN ('running', 'starting')
            RETURNING id
            """)
    List<String> markMissingOnHost(String hostId, Instant now);

    /** Moves a sandbox no snapshot holds; 0 when it is not in {@code expected} or a snapshot holds it. */
    @SqlUpdate("""
            UPDATE sandboxes SET status = :status, updated_at = :now
            WHERE id = :id AND status = :expected AND snapshot_id IS NULL
            """)
    int transition(String id, SandboxStatus expected, SandboxStatus status, Instant now);

    /**
     * As {@link #transition}, only for a row unchanged since {@code settledBefore}: a reconcile acting on a listing of
     * containers taken at that time must not move a row that changed after it (a sandbox created or resumed since).
     */
    @SqlUpdate("""
            UPDATE sandboxes SET status = :status, updated_at = :now
            WHERE id = :id AND status = :expected AND snapshot_id IS NULL AND updated_at < :settledBefore
            """)
    int transitionIfSettled(String id, SandboxStatus expected, SandboxStatus status, Instant settledBefore,
            Instant now);

    /** Ends a sandbox, whatever held it. */
    @SqlUpdate("""
            UPDATE sandboxes SET status = 'stopped', snapshot_id = NULL, status_before_snapshot = NULL, updated_at = :now
            WHERE id = :id AND status <> 'stopped'
            """)
    int markStopped(String id, Instant now);

    @SqlUpdate("UPDATE sandboxes SET container_id = :containerId, updated_at = :now WHERE id = :id")
    int setContainer(String id, String containerId, Instant now);

    /**
     * Holds a running or paused sandbox for a snapshot, marking it paused, and returns the status to restore
     * afterwards; empty when the sandbox is in another state or another snapshot holds it. Repeating it for the
     * same snapshot returns the same status, so a retried activity is harmless.
     */
    @SqlQuery("""
            UPDATE sandboxes
            SET status_before_snapshot = CASE WHEN snapshot_id = :snapshotId THEN status_before_snapshot ELSE status END,
                status = 'paused', snapshot_id = :snapshotId, updated_at = :now
            WHERE id = :id
              AND ((snapshot_id IS NULL AND status IN ('running', 'paused')) OR snapshot_id = :snapshotId)
            RETURNING status_before_snapshot
            """)
    Optional<SandboxStatus> holdForSnapshot(String id, String snapshotId, Instant now);

    /** Ends the snapshot's hold, leaving the sandbox in {@code status}; a no-op when that snapshot does not hold it. */
    @SqlUpdate("""
            UPDATE sandboxes SET status = :status, snapshot_id = NULL, status_before_snapshot = NULL, updated_at = :now
            WHERE id = :id AND snapshot_id = :snapshotId
            """)
    int releaseFromSnapshot(String id, String snapshotId, SandboxStatus status, Instant now);

    @SqlUpdate("""
            INSERT INTO sandbox_metrics (sandbox_id, metrics, flushed_at) VALUES (:id, :metrics, :now)
            ON CONFLICT (sandbox_id) DO UPDATE SET metrics = EXCLUDED.metrics, flushed_at = EXCLUDED.flushed_at
            """)
    void storeMetrics(String id, @Jsonb Object metrics, Instant now);

    /** The tiers flushed at the sandbox's last pause, as JSON. */
    @SqlQuery("SELECT metrics::text FROM sandbox_metrics WHERE sandbox_id = :id")
    Optional<String> findMetrics(String id);

    @SqlQuery("""
            UPDATE sandboxes SET status = 'stopped', updated_at = :now
            WHERE host_id = :hostId AND status <> 'stopped'
            RETURNING id
            """)
    List<String> markStoppedOnHost(String hostId, Instant now);
}
