CREATE TABLE projects (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL REFERENCES teams (id),
    name          TEXT NOT NULL,
    warmup_script TEXT NOT NULL,
    auto_warm     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One golden per project and host. build_id names the build the status belongs to: a result is recorded only
-- when it comes from that build, so a late result of a cancelled or superseded build never overwrites a newer one.
CREATE TABLE golden_hosts (
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    host_id       TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('none', 'building', 'ready', 'failed')),
    generation    BIGINT NOT NULL DEFAULT 0,
    size_bytes    BIGINT NOT NULL DEFAULT 0,
    build_id      TEXT,
    error         TEXT,
    last_build_at TIMESTAMPTZ,
    last_ready_at TIMESTAMPTZ,
    PRIMARY KEY (project_id, host_id)
);

CREATE TABLE golden_builds (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    host_id     TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('building', 'ready', 'failed', 'cancelled')),
    generation  BIGINT,
    error       TEXT,
    -- The write-rate series, kept when the build ends; while it runs the host has it.
    io          JSONB,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);

CREATE INDEX golden_builds_project ON golden_builds (project_id, started_at DESC);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    team_id        TEXT NOT NULL REFERENCES teams (id),
    host_id        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('starting', 'running', 'stopped', 'failed')),
    generation     BIGINT,
    copied_bytes   BIGINT NOT NULL DEFAULT 0,
    total_bytes    BIGINT NOT NULL DEFAULT 0,
    -- Where the session's own Docker daemon listens, on its host.
    docker_host    TEXT,
    error          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX sessions_project ON sessions (project_id, created_at DESC);
