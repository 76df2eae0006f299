-- Host liveness as leases (issue #15). A heartbeat renews its host's lease in place: a narrow row with no index on
-- the renewal time and a low fillfactor, so each renewal is a HOT update of one small tuple, not a new version of
-- the wide hosts row and its indexes. The hosts row changes only when its load does (or every few minutes).
CREATE TABLE host_leases (
    host_id       TEXT PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
    renewed_at    TIMESTAMPTZ NOT NULL,
    -- renewed_at plus the timeout that went with the interval this host was told to beat at
    expires_at    TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('live', 'expired')),
    -- Bumped by every flip of state, and carried by the signal the flip sends, so that the host workflow can drop a
    -- signal that arrives after a newer one (a sweeper's "expired" overtaken by the heartbeat that renewed it).
    generation    BIGINT NOT NULL,
    -- when the host workflow was last asked to reconcile the host's containers with the rows
    reconciled_at TIMESTAMPTZ NOT NULL,
    -- What the last renewal did, set by the renewal from the row it locked and read back by it: that it brought the
    -- lease back (the host is new or returns), and that it claimed the periodic reconcile. Computing these from a
    -- read before the upsert let two racing renewals of one host both see an expired lease.
    came_back         BOOLEAN NOT NULL DEFAULT false,
    reconcile_claimed BOOLEAN NOT NULL DEFAULT false
) WITH (fillfactor = 50);

-- The sweeper's own view of time: when it last swept, and until when it may not expire leases because its view was
-- stale (it did not run, PostgreSQL was away, kiln-api restarted), so that a control-plane outage never marks the
-- fleet unreachable.
CREATE TABLE lease_sweeps (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    swept_at    TIMESTAMPTZ NOT NULL,
    grace_until TIMESTAMPTZ NOT NULL
);
INSERT INTO lease_sweeps (id, swept_at, grace_until) VALUES (1, now(), now());

-- Registration no longer marks a host online: only a heartbeat from its running kiln-host, whose worker answers on
-- its queue, does. registered_at tells a registered host from one still waiting for its token.
ALTER TABLE hosts ADD COLUMN registered_at TIMESTAMPTZ;
UPDATE hosts SET registered_at = updated_at WHERE cpu_cores IS NOT NULL;

-- Hosts already known keep their liveness across the upgrade: their next heartbeat renews what is here.
INSERT INTO host_leases (host_id, renewed_at, expires_at, state, generation, reconciled_at)
SELECT id, COALESCE(last_heartbeat_at, now()), COALESCE(last_heartbeat_at, now()) + interval '90 seconds',
       CASE status WHEN 'online' THEN 'live' ELSE 'expired' END, 1, now()
FROM hosts WHERE registered_at IS NOT NULL;
