CREATE TABLE hosts (
    id                TEXT PRIMARY KEY,
    type              TEXT NOT NULL CHECK (type IN ('regular', 'byoc')),
    team_id           TEXT REFERENCES teams (id),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'online', 'unreachable', 'draining')),
    arch              TEXT,
    cpu_cores         INTEGER,
    memory_mb         BIGINT,
    disk_gb           BIGINT,
    address           TEXT,
    labels            JSONB NOT NULL DEFAULT '{}',
    -- The latest load figures a heartbeat reported (running sandboxes, cpu, memory, disk).
    load              JSONB NOT NULL DEFAULT '{}',
    last_heartbeat_at TIMESTAMPTZ,
    created_by        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE host_registration_tokens (
    id         TEXT PRIMARY KEY,
    host_id    TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

CREATE TABLE host_refresh_tokens (
    id         TEXT PRIMARY KEY,
    host_id    TEXT NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX host_refresh_tokens_host ON host_refresh_tokens (host_id);
