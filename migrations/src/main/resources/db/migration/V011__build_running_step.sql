-- current_step now names the step running (so "step 1/12 running" is one read); the count of finished steps, which
-- current_step used to hold, gets a column of its own.
ALTER TABLE template_builds ADD COLUMN completed_steps INTEGER NOT NULL DEFAULT 0;
UPDATE template_builds SET completed_steps = current_step;
UPDATE template_builds b SET current_step = s.step
FROM (SELECT build_id, max(step) AS step FROM template_build_steps GROUP BY build_id) s
WHERE s.build_id = b.id AND b.status IN ('pending', 'running');
