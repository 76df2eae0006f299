package dev.kiln.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The fleet sampler's ticks ({@code fleet_stats}): written every 10 s, read back bucketed for charts. */
@RegisterConstructorMapper(FleetStatsRow.class)
public interface FleetStatsDao {
    /**
     * Records the tick at {@code t} from the sandboxes table as it is now. Keyed by the tick's time, so a second
     * kiln-api replica sampling the same tick changes nothing.
     *
     * @return the rows written: the platform team's and one per other team with running or paused sandboxes
     */
    @SqlUpdate("""
            INSERT INTO fleet_stats (t, team_id, running, paused, vcpus_reserved, memory_reserved_mb)
            SELECT :t, teams.id,
                   count(*) FILTER (WHERE s.status = 'running'),
                   count(*) FILTER (WHERE s.status = 'paused'),
                   COALESCE(sum(s.vcpus) FILTER (WHERE s.status = 'running'), 0)
                       + ceil(COALESCE(sum(s.vcpus) FILTER (WHERE s.status = 'paused'), 0) / 2.0),
                   COALESCE(sum(s.memory_mb) FILTER (WHERE s.status = 'running'), 0)
                       + ceil(COALESCE(sum(s.memory_mb) FILTER (WHERE s.status = 'paused'), 0) / 2.0)
            FROM teams
            LEFT JOIN sandboxes s ON s.team_id = teams.id AND s.status IN ('running', 'paused')
            WHERE teams.id = :platformTeamId OR s.id IS NOT NULL
            GROUP BY teams.id
            ON CONFLICT (t, team_id) DO NOTHING
            """)
    int sample(Instant t, String platformTeamId);

    @SqlUpdate("DELETE FROM fleet_stats WHERE t < :before")
    int deleteBefore(Instant before);

    /**
     * Ticks since {@code from}, summed over the teams ({@code teamId} null) or of one team, then grouped into buckets of
     * {@code bucketSeconds}; each figure is the bucket's peak. Buckets without ticks are absent. {@code team_id} of a
     * row is the one asked for, or null for the whole fleet.
     */
    @SqlQuery("""
            SELECT date_bin(make_interval(secs => :bucketSeconds), t, TIMESTAMPTZ 'epoch') AS t,
                   CAST(:teamId AS TEXT) AS team_id,
                   max(running) AS running, max(paused) AS paused, max(vcpus_reserved) AS vcpus_reserved,
                   max(memory_reserved_mb) AS memory_reserved_mb
            FROM (
                SELECT t, sum(running)::int AS running, sum(paused)::int AS paused,
                       sum(vcpus_reserved)::int AS vcpus_reserved, sum(memory_reserved_mb)::bigint AS memory_reserved_mb
                FROM fleet_stats
                WHERE t >= :from AND (CAST(:teamId AS TEXT) IS NULL OR team_id = :teamId)
                GROUP BY t
            ) ticks
            GROUP BY 1
            ORDER BY 1
            """)
    List<FleetStatsRow> buckets(String teamId, Instant from, long bucketSeconds);

    /** When sampling began, as far as the table remembers (60 days at most). */
    @SqlQuery("SELECT min(t) FROM fleet_stats")
    Optional<Instant> firstTick();
}
