-- Debian 12 minbase, made on each host by scripts/make-debian-base.sh: the base for recipes that need apt.
INSERT INTO templates (id, team_id, name, type, image_ref, vcpus, memory_mb)
VALUES ('tpl-0000000000000000000debian', 'team-0000000000000000000000000', 'debian', 'image',
        'kiln/debian:bookworm', 1, 1024);
