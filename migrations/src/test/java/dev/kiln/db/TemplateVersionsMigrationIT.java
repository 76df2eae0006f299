package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.TagMoveReason;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * V016 on a database that has templates, builds and sandboxes from before versions: each template becomes its own
 * version 1 with the image it had, tagged latest.
 */
class TemplateVersionsMigrationIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private static final Instant CREATED = Instant.parse("2025-03-01T10:00:00Z");

    @BeforeAll
    static void migrateADatabaseWithTemplatesFromBeforeVersions() {
        db.jdbi().useHandle(handle -> handle.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
        // The newest migration before V016, whichever other branches have added by now.
        MigrationVersion beforeVersions = Arrays.stream(flyway(MigrationVersion.LATEST).info().all())
                .map(MigrationInfo::getVersion)
                .filter(version -> version.compareTo(MigrationVersion.fromVersion("16")) < 0)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        flyway(beforeVersions).migrate();
        db.jdbi().useHandle(handle -> {
            handle.execute("INSERT INTO teams (id, name) VALUES ('team-old', 'old')");
            handle.createUpdate("""
                    INSERT INTO templates (id, team_id, name, type, image_ref, vcpus, memory_mb, size_bytes, default_user,
                                           default_env, default_workdir, build_id, created_at)
                    VALUES ('tpl-old', 'team-old', 'py', 'snapshot', 'kiln/tpl-old:latest', 2, 2048, 77, 'kiln',
                            '{"LANG": "C.UTF-8"}', '/srv', NULL, :created)
                    """).bind("created", CREATED).execute();
            handle.execute("""
                    INSERT INTO snapshots (id, team_id, sandbox_id, name, mode, status, template_id, created_by)
                    VALUES ('snap-old', 'team-old', 'sb-source', 'py', 'snapshot', 'success', 'tpl-old', 'key-1')
                    """);
            handle.execute("""
                    INSERT INTO sandboxes (id, team_id, template_id, status, template_name)
                    VALUES ('sb-old', 'team-old', 'tpl-old', 'running', 'py'),
                           ('sb-orphan', 'team-old', 'tpl-deleted', 'running', 'gone')
                    """);
            handle.execute("""
                    INSERT INTO template_builds (id, team_id, name, base_template, base_image_ref, recipe, status,
                                                 total_steps)
                    VALUES ('bld-running', 'team-0000000000000000000000000', 'site', 'debian', 'kiln/debian:bookworm',
                            '["RUN a", "RUN b"]', 'running', 2),
                           ('bld-done', 'team-0000000000000000000000000', 'old', 'debian', 'kiln/debian:bookworm',
                            '["RUN a"]', 'success', 1)
                    """);
        });

        Migrations.migrate(db.dataSource());
    }

    private static Flyway flyway(MigrationVersion target) {
        return Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target(target).load();
    }

    @Test
    void eachTemplateBecomesItsOwnFirstVersionWithItsImageAndDefaults() {
        TemplateVersionDao versions = db.jdbi().onDemand(TemplateVersionDao.class);

        assertThat(db.jdbi().onDemand(TemplateDao.class).findById("tpl-old"))
                .contains(new TemplateRow("tpl-old", "team-old", "py", CREATED));
        TemplateVersionRow version = versions.findAtTag("tpl-old", TemplateVersionDao.LATEST).orElseThrow();
        assertThat(version.version()).isEqualTo(1);
        assertThat(version.id()).isEqualTo("tpl-old");
        assertThat(version.type()).isEqualTo("snapshot");
        assertThat(version.imageRef()).isEqualTo("kiln/tpl-old:latest");
        assertThat(version.vcpus()).isEqualTo(2);
        assertThat(version.memoryMb()).isEqualTo(2048);
        assertThat(version.sizeBytes()).isEqualTo(77);
        assertThat(version.defaultUser()).isEqualTo("kiln");
        assertThat(version.defaultEnv()).containsEntry("LANG", "C.UTF-8");
        assertThat(version.defaultWorkdir()).isEqualTo("/srv");
        assertThat(version.snapshotId()).isEqualTo("snap-old");
        assertThat(version.createdAt()).isEqualTo(CREATED);
        assertThat(versions.history("tpl-old", TemplateVersionDao.LATEST)).singleElement()
                .satisfies(move -> assertThat(move.reason()).isEqualTo(TagMoveReason.MIGRATION));
        assertThat(versions.findAtTag(Ids.MINIMAL_TEMPLATE_ID, TemplateVersionDao.LATEST).orElseThrow().imageRef())
                .isEqualTo("kiln/minimal:latest");
    }

    @Test
    void sandboxesRunVersionOneOfTheirTemplateUnlessItIsGone() {
        SandboxDao sandboxes = db.jdbi().onDemand(SandboxDao.class);

        assertThat(sandboxes.findById("sb-old").orElseThrow().templateVersion()).isEqualTo(1);
        assertThat(sandboxes.findById("sb-orphan").orElseThrow().templateVersion()).isNull();
    }

    @Test
    void aBuildInFlightStartsFromItsBasesFirstVersionAndEveryBuildGetsItsRecipesHash() {
        BuildDao builds = db.jdbi().onDemand(BuildDao.class);
        String debianId = db.jdbi().onDemand(TemplateDao.class).findOwned(Ids.PLATFORM_TEAM_ID, "debian").orElseThrow()
                .id();

        assertThat(builds.findLineage("bld-running")).contains(
                new BuildDao.Lineage(debianId, "debian", 1, Ids.sha256Hex("RUN a\nRUN b\n")));
        assertThat(builds.findLineage("bld-done")).contains(
                new BuildDao.Lineage(null, "debian", null, Ids.sha256Hex("RUN a\n")));
    }

    @Test
    void templatesNoLongerHoldWhatTheirVersionsDo() {
        try (Handle handle = db.jdbi().open()) {
            assertThat(handle.createQuery("""
                    SELECT column_name FROM information_schema.columns WHERE table_name = 'templates' ORDER BY column_name
                    """).mapTo(String.class).list()).containsExactly("created_at", "id", "name", "team_id");
        }
    }
}
