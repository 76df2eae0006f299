-- A step the build took from its host's step cache: recorded finished and ok without having run (#16).
ALTER TABLE template_build_steps ADD COLUMN cached BOOLEAN NOT NULL DEFAULT false;
