package dev.kiln.db;

import dev.kiln.model.BuildStatus;
import dev.kiln.model.TagMoveReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Template builds and their steps. A build is terminal once success, failed or cancelled, and then stays so. */
@RegisterConstructorMapper(BuildRow.class)
@RegisterConstructorMapper(BuildStepRow.class)
public interface BuildDao {
    @CreateSqlObject
    TemplateVersionDao versions();

    @SqlUpdate("""
            INSERT INTO template_builds (id, team_id, name, base_template, base_image_ref, recipe, healthcheck, vcpus,
                                         memory_mb, skip_pre_post, status, current_step, completed_steps, total_steps, error_message,
                                         error_step, host_id, template_id, default_user, default_env, created_by,
                                         cancelled_by, created_at, started_at, completed_at)
            VALUES (:id, :teamId, :name, :baseTemplate, :baseImageRef, :recipe, :healthcheck, :vcpus,
                    :memoryMb, :skipPrePost, :status, :currentStep, :completedSteps, :totalSteps, :errorMessage,
                    :errorStep, :hostId, :templateId, :defaultUser, :defaultEnv, :createdBy,
                    :cancelledBy, COALESCE(:createdAt, now()), :startedAt, :completedAt)
            """)
    void insert(@BindMethods BuildRow build);

    /**
     * What the build's version will record of its lineage: the base template and version it starts from, resolved at
     * submit (a tag may move while the build runs), and its recipe's hash. Written by the submit beside
     * {@link #insert}; only the publish reads it.
     */
    @SqlUpdate("""
            UPDATE template_builds
            SET base_template_id = :baseTemplateId, base_version = :baseVersion, recipe_sha256 = :recipeSha256
            WHERE id = :id
            """)
    int recordLineage(String id, String baseTemplateId, int baseVersion, String recipeSha256);

    /** What {@link #recordLineage} recorded; all but the base's name are null until it has. */
    record Lineage(String baseTemplateId, String baseTemplate, Integer baseVersion, String recipeSha256) {
        /** The base's name as a version's parent: only once the base was resolved to a template. */
        public String parentName() {
            return baseTemplateId == null ? null : baseTemplate;
        }
    }

    @SqlQuery("""
            SELECT base_template_id, base_template, base_version, recipe_sha256 FROM template_builds WHERE id = :id
            """)
    @RegisterConstructorMapper(Lineage.class)
    Optional<Lineage> findLineage(String id);

    @SqlQuery("SELECT * FROM template_builds WHERE id = :id")
    Optional<BuildRow> findById(String id);

    /** The newest {@code limit} builds, of every status when {@code status} is null. */
    @SqlQuery("""
            SELECT * FROM template_builds
            WHERE :status IS NULL OR status = :status
            ORDER BY created_at DESC, id
            LIMIT :limit
            """)
    List<BuildRow> list(BuildStatus status, int limit);

    /** The queue: builds waiting for a host, first come first. */
    @SqlQuery("SELECT * FROM template_builds WHERE status = 'pending' ORDER BY created_at, id")
    List<BuildRow> listPending();

    /**
     * The build got a host: it leaves the queue (pending) and runs. Placing it again, on another host after losing
     * one, keeps its first start time; an ended build is never revived.
     */
    @SqlUpdate("""
            UPDATE template_builds SET status = 'running', host_id = :hostId, started_at = COALESCE(started_at, :now)
            WHERE id = :id AND status IN ('pending', 'running')
            """)
    int markPlaced(String id, String hostId, Instant now);

    /** Where a build runs and how it stands, for a host deciding whether a build sandbox it holds is still wanted. */
    record Placement(String id, String hostId, BuildStatus status) {}

    @SqlQuery("SELECT id, host_id, status FROM template_builds WHERE id IN (<ids>)")
    @RegisterConstructorMapper(Placement.class)
    List<Placement> placements(@BindList("ids") List<String> ids);

    /** Starts the step afresh: a retried step must not show the output or result of an earlier attempt. */
    @SqlUpdate("""
            INSERT INTO template_build_steps (build_id, step, phase, command, started_at)
            VALUES (:buildId, :step, :phase, :command, :now)
            ON CONFLICT (build_id, step) DO UPDATE
            SET phase = EXCLUDED.phase, command = EXCLUDED.command, stdout = '', stderr = '', exit_code = NULL,
                ok = NULL, elapsed_ms = NULL, started_at = EXCLUDED.started_at, finished_at = NULL, cached = false
            """)
    void insertStepStarted(String buildId, int step, String phase, String command, Instant now);

    @SqlUpdate("UPDATE template_builds SET current_step = :step WHERE id = :buildId")
    int setCurrentStep(String buildId, int step);

    /** Records that a step runs, and makes it the build's current step. A retried step starts again. */
    @Transaction
    default void startStep(String buildId, int step, String phase, String command, Instant now) {
        insertStepStarted(buildId, step, phase, command, now);
        setCurrentStep(buildId, step);
    }

    @SqlUpdate("""
            UPDATE template_build_steps
            SET stdout = :stdout, stderr = :stderr, exit_code = :exitCode, ok = :ok, elapsed_ms = :elapsedMs,
                finished_at = :now
            WHERE build_id = :buildId AND step = :step
            """)
    int finishStep(
            String buildId, int step, String stdout, String stderr, int exitCode, boolean ok, long elapsedMs,
            Instant now);

    @SqlUpdate("UPDATE template_builds SET completed_steps = :step WHERE id = :buildId")
    int setCompletedSteps(String buildId, int step);

    /** Records a step's result and counts it finished; the step must have been started. */
    @Transaction
    default void completeStep(
            String buildId, int step, String stdout, String stderr, int exitCode, boolean ok, long elapsedMs,
            Instant now) {
        if (finishStep(buildId, step, stdout, stderr, exitCode, ok, elapsedMs, now) == 0) {
            throw new IllegalStateException("step " + step + " of build " + buildId + " was never started");
        }
        setCompletedSteps(buildId, step);
    }

    /** A step taken from the step cache: finished at once, ok, with no output of its own. */
    @SqlUpdate("""
            INSERT INTO template_build_steps (build_id, step, phase, command, exit_code, ok, elapsed_ms, started_at,
                                              finished_at, cached)
            VALUES (:buildId, :step, :phase, :command, 0, true, 0, :now, :now, true)
            ON CONFLICT (build_id, step) DO UPDATE
            SET phase = EXCLUDED.phase, command = EXCLUDED.command, stdout = '', stderr = '', exit_code = 0, ok = true,
                elapsed_ms = 0, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, cached = true
            """)
    void insertStepCached(String buildId, int step, String phase, String command, Instant now);

    /** Records a cached step and counts it finished, as a step that ran would be after its end. */
    @Transaction
    default void cacheStep(String buildId, int step, String phase, String command, Instant now) {
        insertStepCached(buildId, step, phase, command, now);
        setCurrentStep(buildId, step);
        setCompletedSteps(buildId, step);
    }

    @SqlQuery("SELECT * FROM template_build_steps WHERE build_id = :buildId ORDER BY step")
    List<BuildStepRow> findSteps(String buildId);

    @SqlUpdate("""
            UPDATE template_builds
            SET status = 'failed', error_message = :message, error_step = :step, completed_at = :now
            WHERE id = :id AND status IN ('pending', 'running')
            """)
    int markFailed(String id, String message, Integer step, Instant now);

    /**
     * Records who asked for a cancel, while the build can still be cancelled. The first request is kept: it is
     * the one that stopped the build.
     *
     * @return 0 if the build does not exist or has already ended
     */
    @SqlUpdate("""
            UPDATE template_builds
            SET cancel_requested_by = COALESCE(cancel_requested_by, :by),
                cancel_requested_at = COALESCE(cancel_requested_at, :now)
            WHERE id = :id AND status IN ('pending', 'running')
            """)
    int requestCancel(String id, String by, Instant now);

    /**
     * Credits the cancel to whoever requested it through {@link #requestCancel}; {@code cancelledBy} is the
     * fallback for a cancel that did not come through the API (the Temporal UI, say).
     */
    @SqlUpdate("""
            UPDATE template_builds
            SET status = 'cancelled', cancelled_by = COALESCE(cancel_requested_by, :cancelledBy), completed_at = :now
            WHERE id = :id AND status IN ('pending', 'running')
            """)
    int markCancelled(String id, String cancelledBy, Instant now);

    @SqlUpdate("""
            UPDATE template_builds
            SET status = 'success', template_id = :templateId, default_user = COALESCE(:defaultUser, 'root'),
                default_env = COALESCE(:defaultEnv, '{}'::jsonb), completed_at = :now
            WHERE id = :id AND status IN ('pending', 'running')
            """)
    int markSucceeded(String id, String templateId, String defaultUser, @Jsonb Map<String, String> defaultEnv,
            Instant now);

    /**
     * Makes what a build produced the next version of its template (creating the template for a new name), moves
     * {@code latest} to it and marks the build successful, all or nothing.
     *
     * @param version names its build, whose defaults the build row records too
     * @throws TemplateNameTakenException if the template is new and its name is taken (see {@link TemplateDao#nameTaken})
     * @throws IllegalStateException if the build already ended, for instance because it was cancelled
     */
    @Transaction
    default TemplateVersionRow publish(String teamId, String name, NewTemplateVersion version, Instant now) {
        // The build row is updated first: its row lock makes a concurrent cancel wait and then find it terminal.
        if (markSucceeded(version.buildId(), version.id(), version.defaultUser(), version.defaultEnv(), now) == 0) {
            throw new IllegalStateException("build " + version.buildId() + " has already ended");
        }
        return versions().publish(teamId, name, version, TagMoveReason.BUILD, version.buildId(), now);
    }
}
