CREATE TABLE template_builds (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    name            TEXT NOT NULL,
    base_template   TEXT NOT NULL,
    base_image_ref  TEXT NOT NULL,
    recipe          JSONB NOT NULL,
    healthcheck     TEXT,
    vcpus           INTEGER NOT NULL DEFAULT 1,
    memory_mb       INTEGER NOT NULL DEFAULT 512,
    skip_pre_post   BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled')),
    current_step    INTEGER NOT NULL DEFAULT 0,
    total_steps     INTEGER NOT NULL,
    error_message   TEXT,
    error_step      INTEGER,
    host_id         TEXT,
    template_id     TEXT,
    default_user    TEXT NOT NULL DEFAULT 'root',
    default_env     JSONB NOT NULL DEFAULT '{}',
    created_by      TEXT,
    cancelled_by    TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    completed_at    TIMESTAMPTZ
);

CREATE INDEX template_builds_status ON template_builds (status, created_at DESC);

-- One row per step, written when the step starts and completed when it ends, so readers see live progress.
CREATE TABLE template_build_steps (
    build_id    TEXT NOT NULL REFERENCES template_builds (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL,
    phase       TEXT NOT NULL CHECK (phase IN ('pre-build', 'recipe', 'post-build')),
    command     TEXT NOT NULL,
    stdout      TEXT NOT NULL DEFAULT '',
    stderr      TEXT NOT NULL DEFAULT '',
    exit_code   INTEGER,
    ok          BOOLEAN,
    elapsed_ms  BIGINT,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (build_id, step)
);
