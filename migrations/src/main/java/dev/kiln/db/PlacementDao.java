package dev.kiln.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

@RegisterConstructorMapper(HostUsageRow.class)
public interface PlacementDao {
    /**
     * Paused sandboxes count half their memory: their processes are frozen, but the memory is still held. The
     * counts say what the figures are made of (the console shows them beside each host's bars).
     */
    @SqlQuery("""
            SELECT host_id, sum(vcpus)::float8 AS vcpus, sum(memory_mb)::bigint AS memory_mb,
                   count(*) FILTER (WHERE kind = 'sandbox')::int AS sandboxes,
                   count(*) FILTER (WHERE kind = 'build')::int AS builds
            FROM (
                SELECT 'sandbox' AS kind, host_id, vcpus,
                       CASE WHEN status = 'paused' THEN memory_mb / 2 ELSE memory_mb END AS memory_mb
                FROM sandboxes WHERE host_id IS NOT NULL AND status IN ('starting', 'running', 'paused', 'missing')
                UNION ALL
                SELECT 'build', host_id, vcpus, memory_mb FROM template_builds WHERE host_id IS NOT NULL AND status = 'running'
            ) committed
            GROUP BY host_id
            """)
    List<HostUsageRow> usage();

    /** An earlier build on the same base image as another, on the host it ran on, newest first. */
    record EarlierBuild(String hostId, @Jsonb List<String> recipe, boolean skipPrePost) {}

    /** The recipe of a build and whether it runs without the pre- and post-build steps. */
    record BuildRecipe(@Jsonb List<String> recipe, boolean skipPrePost) {}

    @SqlQuery("SELECT recipe, skip_pre_post FROM template_builds WHERE id = :buildId")
    @RegisterConstructorMapper(BuildRecipe.class)
    Optional<BuildRecipe> recipeOf(String buildId);

    /**
     * Builds since {@code since} on the base image of {@code buildId} that finished at least one step on a host: the
     * hosts whose step cache may hold that build's leading steps.
     */
    @SqlQuery("""
            SELECT earlier.host_id, earlier.recipe, earlier.skip_pre_post
            FROM template_builds build
            JOIN template_builds earlier ON earlier.base_image_ref = build.base_image_ref AND earlier.id <> build.id
            WHERE build.id = :buildId AND earlier.host_id IS NOT NULL AND earlier.completed_steps > 0
              AND earlier.created_at > :since
            ORDER BY earlier.created_at DESC
            LIMIT :limit
            """)
    @RegisterConstructorMapper(EarlierBuild.class)
    List<EarlierBuild> earlierBuildsOnTheSameBase(String buildId, Instant since, int limit);
}
