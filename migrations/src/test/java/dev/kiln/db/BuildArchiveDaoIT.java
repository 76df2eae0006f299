package dev.kiln.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.model.BuildStatus;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BuildArchiveDaoIT {
    @RegisterExtension
    static TestDatabase db = new TestDatabase();

    private final BuildArchiveDao archives = db.jdbi().onDemand(BuildArchiveDao.class);
    private final BuildDao builds = db.jdbi().onDemand(BuildDao.class);
    private String buildId;

    @BeforeEach
    void insertBuild() {
        BuildRow build = Fixtures.build(Fixtures.insertTeam(db.jdbi().onDemand(TeamDao.class)).id(), "py",
                BuildStatus.PENDING,
                null);
        builds.insert(build);
        buildId = build.id();
    }

    @Test
    void insertedArchiveHasItsMetadata() {
        archives.insert(buildId, "tar.gz", 3, "ab12", new byte[] {0x1f, (byte) 0x8b, 8});

        BuildArchiveRow row = archives.findMetadata(buildId).orElseThrow();
        assertThat(row.buildId()).isEqualTo(buildId);
        assertThat(row.format()).isEqualTo("tar.gz");
        assertThat(row.sizeBytes()).isEqualTo(3);
        assertThat(row.sha256()).isEqualTo("ab12");
        assertThat(row.createdAt()).isNotNull();
        assertThat(archives.findMetadata(Ids.newId("bld"))).isEmpty();
    }

    @Test
    void chunksSliceTheContentAndStopAtItsEnd() {
        byte[] content = new byte[1000];
        new Random(42).nextBytes(content);
        archives.insert(buildId, "zip", content.length, "ff", content);

        assertThat(archives.findChunk(buildId, 0, 400)).hasValueSatisfying(
                chunk -> assertThat(chunk).isEqualTo(Arrays.copyOfRange(content, 0, 400)));
        assertThat(archives.findChunk(buildId, 800, 400)).hasValueSatisfying(
                chunk -> assertThat(chunk).isEqualTo(Arrays.copyOfRange(content, 800, 1000)));
        assertThat(archives.findChunk(buildId, 1000, 400)).hasValueSatisfying(chunk -> assertThat(chunk).isEmpty());
        assertThat(archives.findChunk(Ids.newId("bld"), 0, 400)).isEmpty();
    }

    @Test
    void deleteRemovesTheArchiveOnce() {
        archives.insert(buildId, "tar", 1, "ff", new byte[] {1});

        assertThat(archives.deleteByBuildId(buildId)).isEqualTo(1);
        assertThat(archives.deleteByBuildId(buildId)).isZero();

        assertThat(archives.findMetadata(buildId)).isEmpty();
    }

    @Test
    void deletingTheBuildDeletesItsArchive() {
        archives.insert(buildId, "tar", 1, "ff", new byte[] {1});

        db.jdbi().useHandle(handle -> handle.execute("DELETE FROM template_builds WHERE id = ?", buildId));

        assertThat(archives.findMetadata(buildId)).isEmpty();
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThatThrownBy(() -> archives.insert(buildId, "rar", 1, "ff", new byte[] {1}))
                .hasMessageContaining("build_archives_format_check");
    }
}
