-- What a sandbox's commands run as. Copied from its template at creation, so that deleting the template (allowed
-- while sandboxes use it) does not change how the running ones behave.
ALTER TABLE sandboxes ADD COLUMN template_name   TEXT;
ALTER TABLE sandboxes ADD COLUMN default_user    TEXT NOT NULL DEFAULT 'root';
ALTER TABLE sandboxes ADD COLUMN default_env     JSONB NOT NULL DEFAULT '{}';
ALTER TABLE sandboxes ADD COLUMN default_workdir TEXT;
-- Set while a snapshot holds the sandbox. The snapshot marks the sandbox paused before it touches the host, so
-- that nothing (the host monitor, a resume) can move it meanwhile, and restores this status when it ends.
ALTER TABLE sandboxes ADD COLUMN snapshot_id          TEXT;
ALTER TABLE sandboxes ADD COLUMN status_before_snapshot TEXT;

CREATE TABLE snapshots (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    sandbox_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('snapshot', 'flatten')),
    status      TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed')),
    template_id TEXT,
    error       TEXT,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);

CREATE INDEX snapshots_sandbox ON snapshots (sandbox_id, created_at DESC);

-- A paused sandbox's metric tiers, flushed by its host on pause: the host stops sampling it, and the API must
-- still answer for it (also while the host is away).
CREATE TABLE sandbox_metrics (
    sandbox_id TEXT PRIMARY KEY REFERENCES sandboxes (id) ON DELETE CASCADE,
    metrics    JSONB NOT NULL,
    flushed_at TIMESTAMPTZ NOT NULL
);

-- Images of deleted templates still on hosts that were away when the template went: removed when they return.
CREATE TABLE pending_image_removals (
    host_id     TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    image_ref   TEXT NOT NULL,
    template_id TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (host_id, image_ref)
);
