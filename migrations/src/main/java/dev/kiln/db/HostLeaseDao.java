package dev.kiln.db;

import dev.kiln.model.HostStatus;
import dev.kiln.model.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Hosts' liveness leases: renewed by heartbeats, expired by the sweeper. */
public interface HostLeaseDao {

    /**
     * What a heartbeat's renewal found: the host's status, whether this renewal brought the lease back (the host's
     * first lease, or one that had expired), the lease's generation after it, and whether the host is due a periodic
     * reconcile (which this renewal has claimed, so one replica asks for it once).
     */
    record Renewal(HostStatus hostStatus, boolean cameBack, long generation, boolean reconcileDue) {}

    /** A lease the sweeper found past its expiry, with the generation its expiry got. */
    record Expired(String hostId, long generation, Instant renewedAt) {}

    /**
     * Renews the host's lease in one statement, and returns what the API needs to decide whether the heartbeat is a
     * transition. Whether this renewal flipped the lease and claimed the reconcile is computed by the upsert from the
     * row it locked and stored in the row, so that two heartbeats of one host racing (a retried request, two kiln-api
     * replicas) cannot both see the lease as expired: the second waits for the first's row lock and finds it live.
     * Empty when the host is gone.
     */
    @SqlQuery("""
            WITH host AS (SELECT id, status FROM hosts WHERE id = :hostId),
            renewed AS (
                INSERT INTO host_leases AS l (host_id, renewed_at, expires_at, state, generation, reconciled_at,
                                              came_back, reconcile_claimed)
                SELECT id, :now, :expiresAt, 'live', 1, :now, true, false FROM host
                ON CONFLICT (host_id) DO UPDATE
                SET renewed_at = :now, expires_at = :expiresAt, state = 'live',
                    generation = l.generation + CASE WHEN l.state = 'live' THEN 0 ELSE 1 END,
                    came_back = l.state <> 'live',
                    reconcile_claimed = l.reconciled_at < :reconcileBefore,
                    reconciled_at = CASE WHEN l.reconciled_at < :reconcileBefore THEN :now ELSE l.reconciled_at END
                RETURNING generation, came_back, reconcile_claimed)
            SELECT host.status AS host_status, renewed.came_back, renewed.generation,
                   renewed.reconcile_claimed AS reconcile_due
            FROM host CROSS JOIN renewed
            """)
    @RegisterConstructorMapper(Renewal.class)
    Optional<Renewal> renew(String hostId, Instant now, Instant expiresAt, Instant reconcileBefore);

    @SqlQuery("SELECT state FROM host_leases WHERE host_id = :hostId")
    Optional<LeaseState> state(String hostId);

    /** When the sweeper last swept and until when it must not expire leases; the one row, locked. */
    record SweepState(Instant sweptAt, Instant graceUntil) {}

    @SqlQuery("SELECT swept_at, grace_until FROM lease_sweeps WHERE id = 1 FOR UPDATE")
    @RegisterConstructorMapper(SweepState.class)
    SweepState lockSweepState();

    @SqlUpdate("UPDATE lease_sweeps SET swept_at = :sweptAt, grace_until = GREATEST(grace_until, :graceUntil) WHERE id = 1")
    void recordSweep(Instant sweptAt, Instant graceUntil);

    /** No lease may expire before {@code until}: kiln-api just started, so hosts have had no chance to renew. */
    @SqlUpdate("UPDATE lease_sweeps SET grace_until = GREATEST(grace_until, :until) WHERE id = 1")
    void extendGrace(Instant until);

    @SqlQuery("""
            UPDATE host_leases SET state = 'expired', generation = generation + 1
            WHERE state = 'live' AND expires_at < :now
            RETURNING host_id, generation, renewed_at
            """)
    @RegisterConstructorMapper(Expired.class)
    List<Expired> expire(Instant now);

    /**
     * Expired leases of hosts still online: their expiry's signal did not reach the host workflow (Temporal was away
     * when the sweep sent it), or has not been applied yet. Sent again, they change nothing twice: the workflow
     * drops an event whose generation it has applied.
     */
    @SqlQuery("""
            SELECT l.host_id, l.generation, l.renewed_at FROM host_leases l JOIN hosts h ON h.id = l.host_id
            WHERE l.state = 'expired' AND h.status = 'online'
            """)
    @RegisterConstructorMapper(Expired.class)
    List<Expired> expiredButOnline();

    /**
     * One sweep: expires the leases past their expiry (and returns the expired ones not yet applied, see
     * {@link #expiredButOnline}), unless the sweeper's view is stale. A sweep that finds the
     * previous one longer ago than {@code staleAfter} (the sweeper did not run: Temporal, PostgreSQL or every kiln-api
     * was away) or falls within a grace period expires nothing, and a stale one starts a grace of {@code grace}:
     * hosts get a whole lease timeout to renew against a control plane that is back.
     */
    @Transaction
    default List<Expired> sweep(Instant now, Duration staleAfter, Duration grace) {
        SweepState state = lockSweepState();
        boolean stale = state.sweptAt().plus(staleAfter).isBefore(now);
        recordSweep(now, stale ? now.plus(grace) : state.graceUntil());
        if (stale || now.isBefore(state.graceUntil())) {
            return List.of();
        }
        List<Expired> expired = new ArrayList<>(expire(now));
        Set<String> found = expired.stream().map(Expired::hostId).collect(Collectors.toSet());
        expiredButOnline().stream().filter(lease -> !found.contains(lease.hostId())).forEach(expired::add);
        return expired;
    }
}
