-- Versioned templates (issue #16). A template is a name in a team's space; what it runs is one of its versions, each
-- made by one successful build or snapshot of the name, with its own image. Tags name versions; `latest` moves to each
-- new version. Running sandboxes carry their image ref, so nothing here can change what they run.
CREATE TABLE template_versions (
    template_id        TEXT NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    version            INTEGER NOT NULL CHECK (version > 0),
    -- Names the version's image (kiln/<id>:latest, labelled kiln.template=<id>). A name's first version shares its
    -- template's id, as every template did before versions.
    id                 TEXT NOT NULL UNIQUE,
    type               TEXT NOT NULL CHECK (type IN ('image', 'snapshot')),
    image_ref          TEXT NOT NULL,
    vcpus              INTEGER NOT NULL,
    memory_mb          INTEGER NOT NULL,
    size_bytes         BIGINT NOT NULL,
    default_user       TEXT NOT NULL,
    default_env        JSONB NOT NULL,
    default_workdir    TEXT,
    build_id           TEXT,
    snapshot_id        TEXT,
    -- Lineage, kept as it was when the version was made: the parent template may be deleted or its name reused since.
    parent_template_id TEXT,
    parent_name        TEXT,
    parent_version     INTEGER,
    -- SHA-256 of the recipe's lines, each ending in a newline; null for a snapshot, which has no recipe.
    recipe_sha256      TEXT,
    -- Docker image ids (sha256:...) on the host that made the version: its own image and the one it started from.
    image_digest       TEXT,
    base_image_digest  TEXT,
    -- A revoked version starts no new sandbox or build; those already running from it go on.
    revoked_at         TIMESTAMPTZ,
    revoked_by         TEXT,
    revoke_reason      TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version)
);

CREATE TABLE template_tags (
    template_id TEXT NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    moved_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (template_id, tag),
    FOREIGN KEY (template_id, version) REFERENCES template_versions (template_id, version)
);

-- Every move of every tag, for its history and for rollback, which moves a tag back to a version it held before.
CREATE TABLE template_tag_moves (
    id           BIGSERIAL PRIMARY KEY,
    template_id  TEXT NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    -- null when the move created the tag
    from_version INTEGER,
    to_version   INTEGER NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('build', 'snapshot', 'set', 'rollback', 'migration')),
    -- the API key that moved it, or the build or snapshot that published the version
    moved_by     TEXT NOT NULL,
    moved_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX template_tag_moves_tag ON template_tag_moves (template_id, tag, id DESC);

-- Every template so far becomes its own version 1, tagged latest; its image and id stay as they were.
INSERT INTO template_versions (template_id, version, id, type, image_ref, vcpus, memory_mb, size_bytes, default_user,
                               default_env, default_workdir, build_id, created_at)
SELECT id, 1, id, type, image_ref, vcpus, memory_mb, size_bytes, default_user, default_env, default_workdir, build_id,
       created_at
FROM templates;

UPDATE template_versions v SET snapshot_id = s.id
FROM snapshots s
WHERE s.template_id = v.id AND s.status = 'success';

INSERT INTO template_tags (template_id, tag, version, moved_at)
SELECT id, 'latest', 1, created_at FROM templates;

INSERT INTO template_tag_moves (template_id, tag, from_version, to_version, reason, moved_by, moved_at)
SELECT id, 'latest', NULL, 1, 'migration', 'V016', created_at FROM templates;

ALTER TABLE templates
    DROP COLUMN type,
    DROP COLUMN image_ref,
    DROP COLUMN vcpus,
    DROP COLUMN memory_mb,
    DROP COLUMN size_bytes,
    DROP COLUMN default_user,
    DROP COLUMN default_env,
    DROP COLUMN default_workdir,
    DROP COLUMN build_id;

-- What a build was made from, resolved at submit, and its recipe's hash: the lineage its version will record.
ALTER TABLE template_builds
    ADD COLUMN base_template_id TEXT,
    ADD COLUMN base_version     INTEGER,
    ADD COLUMN recipe_sha256    TEXT;

UPDATE template_builds b SET recipe_sha256 = (
    SELECT encode(sha256(convert_to(string_agg(line || E'\n', '' ORDER BY position), 'UTF8')), 'hex')
    FROM jsonb_array_elements_text(b.recipe) WITH ORDINALITY AS lines (line, position));

-- Builds in flight across the upgrade started from their base's only version.
UPDATE template_builds b SET base_template_id = t.id, base_version = 1
FROM templates t
WHERE t.team_id = 'team-0000000000000000000000000' AND t.name = b.base_template AND b.status IN ('pending', 'running');

-- The version a sandbox runs; a sandbox of a template since deleted keeps whatever it had.
ALTER TABLE sandboxes ADD COLUMN template_version INTEGER;
UPDATE sandboxes SET template_version = 1 WHERE template_id IN (SELECT id FROM templates);
