package dev.kiln.db;

import java.util.List;
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
}
