package dev.kiln.db;

import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(ProjectRow.class)
@RegisterConstructorMapper(GoldenHostRow.class)
@RegisterConstructorMapper(GoldenBuildRow.class)
@RegisterConstructorMapper(SessionRow.class)
public interface ProjectDao {
    /** Creates the project, or updates it when the team already has it; empty when another team owns the id. */
    @SqlQuery("""
            INSERT INTO projects (id, team_id, name, warmup_script, auto_warm, created_at, updated_at)
            VALUES (:id, :teamId, :name, :warmupScript, :autoWarm, :now, :now)
            ON CONFLICT (id) DO UPDATE
                SET name = EXCLUDED.name, warmup_script = EXCLUDED.warmup_script, auto_warm = EXCLUDED.auto_warm,
                    updated_at = EXCLUDED.updated_at
                WHERE projects.team_id = EXCLUDED.team_id
            RETURNING *
            """)
    Optional<ProjectRow> upsert(String id, String teamId, String name, String warmupScript, boolean autoWarm, Instant now);

    @SqlQuery("SELECT * FROM projects WHERE id = :id")
    Optional<ProjectRow> findById(String id);

    @SqlQuery("SELECT * FROM projects WHERE team_id = :teamId ORDER BY created_at DESC, id")
    List<ProjectRow> listForTeam(String teamId);

    @SqlQuery("SELECT * FROM golden_hosts WHERE project_id = :projectId ORDER BY host_id")
    List<GoldenHostRow> goldenHosts(String projectId);

    @SqlQuery("SELECT * FROM golden_hosts WHERE project_id = :projectId AND host_id = :hostId")
    Optional<GoldenHostRow> goldenHost(String projectId, String hostId);

    /** A build starts on a host: the host's golden is building, for this build. */
    @SqlUpdate("""
            INSERT INTO golden_hosts (project_id, host_id, status, build_id, error, last_build_at)
            VALUES (:projectId, :hostId, 'building', :buildId, NULL, :now)
            ON CONFLICT (project_id, host_id) DO UPDATE
                SET status = 'building', build_id = EXCLUDED.build_id, error = NULL, last_build_at = EXCLUDED.last_build_at
            """)
    void markBuilding(String projectId, String hostId, String buildId, Instant now);

    @SqlUpdate("""
            INSERT INTO golden_builds (id, project_id, host_id, workflow_id, status, started_at)
            VALUES (:id, :projectId, :hostId, :workflowId, 'building', :now)
            ON CONFLICT (id) DO NOTHING
            """)
    void insertBuild(String id, String projectId, String hostId, String workflowId, Instant now);

    @SqlQuery("SELECT count(*) FROM golden_builds WHERE project_id = :projectId AND host_id = :hostId")
    long buildsOn(String projectId, String hostId);

    /** Only the build the host's status belongs to may end it. */
    @SqlUpdate("""
            UPDATE golden_hosts
            SET status = 'ready', generation = :generation, size_bytes = :sizeBytes, error = NULL, last_ready_at = :now
            WHERE project_id = :projectId AND host_id = :hostId AND build_id = :buildId
            """)
    int markReady(String projectId, String hostId, String buildId, long generation, long sizeBytes, Instant now);

    /** A failed build leaves the previous golden, and its generation, in place. */
    @SqlUpdate("""
            UPDATE golden_hosts SET status = 'failed', error = :error
            WHERE project_id = :projectId AND host_id = :hostId AND build_id = :buildId
            """)
    int markFailed(String projectId, String hostId, String buildId, String error);

    /** A cancelled build: the host is back to its previous golden if it has one, else to none. */
    @SqlUpdate("""
            UPDATE golden_hosts SET status = CASE WHEN generation > 0 THEN 'ready' ELSE 'none' END, error = NULL
            WHERE project_id = :projectId AND host_id = :hostId AND build_id = :buildId
            """)
    int markCancelled(String projectId, String hostId, String buildId);

    @SqlUpdate("""
            UPDATE golden_builds SET status = :status, generation = :generation, error = :error, io = :io,
                                     finished_at = :now
            WHERE id = :id AND status = 'building'
            """)
    int finishBuild(String id, GoldenBuildStatus status, Long generation, String error, @Jsonb Object io, Instant now);

    @SqlQuery("SELECT id, project_id, host_id, workflow_id, status, generation, error, io::text AS io, started_at, finished_at FROM golden_builds WHERE id = :id")
    Optional<GoldenBuildRow> findBuild(String id);

    @SqlUpdate("""
            UPDATE golden_hosts SET status = 'none', generation = 0, size_bytes = 0, build_id = NULL, error = NULL
            WHERE project_id = :projectId AND host_id = :hostId
            """)
    int clear(String projectId, String hostId);

    @SqlUpdate("""
            INSERT INTO sessions (id, project_id, team_id, host_id, status, created_at, updated_at)
            VALUES (:id, :projectId, :teamId, :hostId, 'starting', :now, :now)
            """)
    void insertSession(String id, String projectId, String teamId, String hostId, Instant now);

    @SqlQuery("SELECT * FROM sessions WHERE id = :id")
    Optional<SessionRow> findSession(String id);

    /** The project's newest {@code limit} sessions, newest first. */
    @SqlQuery("SELECT * FROM sessions WHERE project_id = :projectId ORDER BY created_at DESC, id LIMIT :limit")
    List<SessionRow> sessionsOf(String projectId, int limit);

    @SqlUpdate("""
            UPDATE sessions SET status = 'running', generation = :generation, copied_bytes = :copiedBytes,
                                total_bytes = :totalBytes, docker_host = :dockerHost, updated_at = :now
            WHERE id = :id AND status = 'starting'
            """)
    int markSessionRunning(String id, long generation, long copiedBytes, long totalBytes, String dockerHost, Instant now);

    @SqlUpdate("""
            UPDATE sessions SET status = :status, error = :error, updated_at = :now
            WHERE id = :id AND status IN ('starting', 'running')
            """)
    int endSession(String id, SessionStatus status, String error, Instant now);

    @SqlQuery("SELECT count(*) FROM sessions WHERE project_id = :projectId AND host_id = :hostId AND status = 'starting'")
    int startingSessions(String projectId, String hostId);
}
