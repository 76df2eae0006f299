CREATE TABLE sandboxes (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams (id),
    template_id  TEXT NOT NULL,
    host_id      TEXT REFERENCES hosts (id) ON DELETE SET NULL,
    container_id TEXT,
    status       TEXT NOT NULL CHECK (status IN ('starting', 'running', 'paused', 'missing', 'stopped')),
    vcpus        INTEGER NOT NULL DEFAULT 1,
    memory_mb    INTEGER NOT NULL DEFAULT 512,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX sandboxes_host_status ON sandboxes (host_id, status);

-- What happened to a host and who did it: outages seen by the monitor, recoveries, drains, deletions.
CREATE TABLE host_audit (
    id         BIGSERIAL PRIMARY KEY,
    host_id    TEXT NOT NULL,
    event      TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX host_audit_host ON host_audit (host_id, created_at DESC);

-- Draining is an operator's decision and survives outages, so it is a flag beside the monitored status rather
-- than a status of its own: a draining host that goes unreachable and returns is still draining.
ALTER TABLE hosts ADD COLUMN draining BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE hosts SET status = 'online', draining = TRUE WHERE status = 'draining';
ALTER TABLE hosts DROP CONSTRAINT hosts_status_check;
ALTER TABLE hosts ADD CONSTRAINT hosts_status_check CHECK (status IN ('pending', 'online', 'unreachable'));
