CREATE TABLE templates (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    name            TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('image', 'snapshot')),
    -- The Docker image every host runs sandboxes of this template from.
    image_ref       TEXT NOT NULL,
    vcpus           INTEGER NOT NULL DEFAULT 1,
    memory_mb       INTEGER NOT NULL DEFAULT 512,
    size_bytes      BIGINT NOT NULL DEFAULT 0,
    default_user    TEXT NOT NULL DEFAULT 'root',
    default_env     JSONB NOT NULL DEFAULT '{}',
    default_workdir TEXT,
    build_id        TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);

-- A team template may not shadow a platform template, and the reverse: names resolve without ambiguity.
CREATE FUNCTION templates_name_not_shadowed() RETURNS trigger AS $$
BEGIN
    -- Without this lock a team insert and a platform insert of the same name, each in its own transaction,
    -- would both pass the check below before either commits. Holding it to commit makes the later one wait,
    -- and the fresh snapshot its next query takes under READ COMMITTED then sees the earlier row.
    PERFORM pg_advisory_xact_lock(hashtext('templates.name'), hashtext(NEW.name));
    IF NEW.team_id = 'team-0000000000000000000000000' THEN
        IF EXISTS (SELECT 1 FROM templates WHERE name = NEW.name AND team_id <> NEW.team_id AND id <> NEW.id) THEN
            RAISE EXCEPTION 'template name % is used by a team', NEW.name USING ERRCODE = 'unique_violation';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM templates WHERE name = NEW.name AND team_id = 'team-0000000000000000000000000' AND id <> NEW.id) THEN
        RAISE EXCEPTION 'template name % is reserved by the platform', NEW.name USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER templates_name_not_shadowed
    BEFORE INSERT OR UPDATE OF name, team_id ON templates
    FOR EACH ROW EXECUTE FUNCTION templates_name_not_shadowed();

INSERT INTO templates (id, team_id, name, type, image_ref, vcpus, memory_mb)
VALUES ('tpl-0000000000000000000000000', 'team-0000000000000000000000000', 'minimal', 'image', 'kiln/minimal:latest', 1, 512);
