-- The archive uploaded with a build, held until the build ends. Hosts have no database credentials and no
-- shared storage, so they fetch it from kiln-api, which reads it from here.
CREATE TABLE build_archives (
    build_id   TEXT PRIMARY KEY REFERENCES template_builds (id) ON DELETE CASCADE,
    format     TEXT NOT NULL CHECK (format IN ('tar', 'tar.gz', 'zip')),
    size_bytes BIGINT NOT NULL,
    sha256     TEXT NOT NULL,
    content    BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Out of line and uncompressed: archives are mostly compressed already, so pglz would only spend CPU, and an
-- uncompressed value lets substring() read one slice without detoasting the whole archive, which is how
-- downloads stream it in bounded memory.
ALTER TABLE build_archives ALTER COLUMN content SET STORAGE EXTERNAL;

-- Who asked the API to cancel, and when. The workflow records the cancel when it lands and credits this key;
-- a cancel sent from the Temporal UI has no requester here and is credited to the workflow's fallback.
ALTER TABLE template_builds
    ADD COLUMN cancel_requested_by TEXT,
    ADD COLUMN cancel_requested_at TIMESTAMPTZ;
