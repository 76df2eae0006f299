package dev.kiln.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The aggregates kiln-api exports as gauges, read at every scrape. Each is one pass over a small table (hosts,
 * golden hosts) or an index-backed count, so a scrape every 15 s costs the database next to nothing.
 */
@RegisterConstructorMapper(MetricsDao.StatusCount.class)
@RegisterConstructorMapper(MetricsDao.HostHeartbeat.class)
@RegisterConstructorMapper(MetricsDao.GoldenSize.class)
public interface MetricsDao {

    record StatusCount(String status, long count) {}

    record HostHeartbeat(String hostId, Instant lastHeartbeatAt) {}

    record GoldenSize(String projectId, String hostId, long sizeBytes) {}

    @SqlQuery("SELECT status, count(*) AS count FROM hosts GROUP BY status")
    List<StatusCount> hostsByStatus();

    /** Hosts that have heartbeated at least once; a host still pending has no age to report. */
    @SqlQuery("SELECT host_id, renewed_at AS last_heartbeat_at FROM host_leases")
    List<HostHeartbeat> heartbeats();

    /** Hosts that registered: the ones that heartbeat. */
    @SqlQuery("SELECT count(*) FROM hosts WHERE registered_at IS NOT NULL")
    long registeredHosts();

    @SqlQuery("SELECT status, count(*) AS count FROM sandboxes GROUP BY status")
    List<StatusCount> sandboxesByStatus();

    @SqlQuery("SELECT status, count(*) AS count FROM template_builds GROUP BY status")
    List<StatusCount> buildsByStatus();

    @SqlQuery("SELECT status, count(*) AS count FROM golden_hosts GROUP BY status")
    List<StatusCount> goldenHostsByStatus();

    /** Every golden a host holds, whatever its last build did: a failed rebuild leaves the previous one there. */
    @SqlQuery("SELECT project_id, host_id, size_bytes FROM golden_hosts WHERE generation > 0")
    List<GoldenSize> goldenSizes();

    /**
     * Builds not finished although submitted before {@code submittedBefore}. The workflow fails a build at its
     * deadline, so past it any build still pending or running is one whose workflow is stuck or gone.
     */
    @SqlQuery("""
            SELECT count(*) FROM template_builds
            WHERE status IN ('pending', 'running') AND created_at < :submittedBefore
            """)
    long unfinishedBuildsSubmittedBefore(Instant submittedBefore);
}
