package dev.kiln.db;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The archive uploaded with a build: written with the build, read by its host, deleted when the build ends. */
@RegisterConstructorMapper(BuildArchiveRow.class)
public interface BuildArchiveDao {
    @SqlUpdate("""
            INSERT INTO build_archives (build_id, format, size_bytes, sha256, content)
            VALUES (:buildId, :format, :sizeBytes, :sha256, :content)
            """)
    void insert(String buildId, String format, long sizeBytes, String sha256, byte[] content);

    @SqlQuery("SELECT build_id, format, size_bytes, sha256, created_at FROM build_archives WHERE build_id = :buildId")
    Optional<BuildArchiveRow> findMetadata(String buildId);

    /**
     * {@code length} bytes from {@code offset} (0-based), fewer at the end; empty if the archive is gone. Readers
     * stream an archive slice by slice, one short query each, so that neither the archive nor a connection is
     * held while a slow client drains it.
     */
    @SqlQuery("SELECT substring(content FROM :offset + 1 FOR :length) FROM build_archives WHERE build_id = :buildId")
    Optional<byte[]> findChunk(String buildId, int offset, int length);

    @SqlUpdate("DELETE FROM build_archives WHERE build_id = :buildId")
    int deleteByBuildId(String buildId);
}
