-- The fleet's sandboxes, sampled every 10 s by kiln-api for the console's charts and kept 60 days. One row per
-- team that had running or paused sandboxes at that tick, and always one for the platform team (zeros included),
-- so the series shows where sampling began and reads a missing team row as nothing running.
-- Reserved resources count a paused sandbox at half, rounded up: its processes are frozen but it keeps its memory,
-- and resuming it must find room (the reference's rule).
CREATE TABLE fleet_stats (
    t                  TIMESTAMPTZ NOT NULL,
    team_id            TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    running            INTEGER NOT NULL,
    paused             INTEGER NOT NULL,
    vcpus_reserved     INTEGER NOT NULL,
    memory_reserved_mb BIGINT NOT NULL,
    PRIMARY KEY (t, team_id)
);

CREATE INDEX fleet_stats_team_t ON fleet_stats (team_id, t);
