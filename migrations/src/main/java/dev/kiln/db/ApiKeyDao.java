package dev.kiln.db;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(ApiKeyRow.class)
public interface ApiKeyDao {
    @SqlUpdate("""
            INSERT INTO api_keys (id, team_id, name, key_hash, admin, created_at, revoked_at)
            VALUES (:id, :teamId, :name, :keyHash, :admin, COALESCE(:createdAt, now()), :revokedAt)
            """)
    void insert(@BindMethods ApiKeyRow key);

    @SqlQuery("SELECT * FROM api_keys WHERE key_hash = :keyHash AND revoked_at IS NULL")
    Optional<ApiKeyRow> findActiveByHash(String keyHash);

    /** Keeps an existing key with that hash as it is, so seeding the same key at every start is harmless. */
    @SqlUpdate("""
            INSERT INTO api_keys (id, team_id, name, key_hash, admin)
            VALUES (:id, :teamId, :name, :keyHash, :admin)
            ON CONFLICT (key_hash) DO NOTHING
            """)
    void insertIfAbsent(String id, String teamId, String name, String keyHash, boolean admin);
}
