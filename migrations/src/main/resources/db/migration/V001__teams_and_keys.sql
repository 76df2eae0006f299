CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    byoc       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The platform team owns admin keys and platform templates; its id is the all-zeros UUID in base36.
INSERT INTO teams (id, name) VALUES ('team-0000000000000000000000000', 'platform');

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- Only the SHA-256 of a key is kept: a database dump must not hand out working keys.
    key_hash   TEXT NOT NULL UNIQUE,
    admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
