-- A template name is claimed from submit to publish by the build or snapshot that will make it (issue #13.5). The
-- claim is the pending/running row itself, checked under a per-name advisory lock (TemplateNameDao), so it ends
-- with the row's status and nothing has to release it. These indexes keep that check off the full tables.
CREATE INDEX template_builds_active_name ON template_builds (name) WHERE status IN ('pending', 'running');
CREATE INDEX snapshots_running_name ON snapshots (name) WHERE status = 'running';
CREATE INDEX templates_name ON templates (name);
