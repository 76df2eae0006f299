package dev.kiln.db;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

@RegisterConstructorMapper(RegistrationTokenRow.class)
@RegisterConstructorMapper(RefreshTokenRow.class)
public interface HostTokenDao {
    @SqlUpdate("""
            INSERT INTO host_registration_tokens (id, host_id, token_hash, created_by, created_at, expires_at)
            VALUES (:id, :hostId, :tokenHash, :createdBy, COALESCE(:createdAt, now()), :expiresAt)
            """)
    void insertRegistrationToken(
            String id, String hostId, String tokenHash, String createdBy, Instant createdAt, Instant expiresAt);

    @SqlQuery("SELECT * FROM host_registration_tokens WHERE token_hash = :tokenHash")
    Optional<RegistrationTokenRow> findRegistrationToken(String tokenHash);

    /**
     * Uses up a live registration token and returns its host id. The check and the write are one statement, so of
     * two concurrent registrations with the same token only one gets the host id.
     */
    @SqlQuery("""
            UPDATE host_registration_tokens SET used_at = :now
            WHERE token_hash = :tokenHash AND used_at IS NULL AND expires_at > :now
            RETURNING host_id
            """)
    Optional<String> burnRegistrationToken(String tokenHash, Instant now);

    @SqlUpdate("""
            INSERT INTO host_refresh_tokens (id, host_id, token_hash, created_at, expires_at)
            VALUES (:id, :hostId, :tokenHash, COALESCE(:createdAt, now()), :expiresAt)
            """)
    void insertRefreshToken(String id, String hostId, String tokenHash, Instant createdAt, Instant expiresAt);

    @SqlQuery("""
            SELECT * FROM host_refresh_tokens
            WHERE token_hash = :tokenHash AND revoked_at IS NULL AND expires_at > :now
            """)
    Optional<RefreshTokenRow> findActiveRefreshToken(String tokenHash, Instant now);

    @SqlUpdate("UPDATE host_refresh_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
    int revokeRefreshToken(String id, Instant now);

    @SqlUpdate("UPDATE host_refresh_tokens SET revoked_at = :now WHERE host_id = :hostId AND revoked_at IS NULL")
    int revokeAllRefreshTokens(String hostId, Instant now);

    /**
     * Replaces refresh token {@code old} with a new one for the same host. Returns false, inserting nothing, when the
     * old token was already revoked: a concurrent refresh with the same token won, and this one must not.
     */
    @Transaction
    default boolean rotateRefreshToken(
            RefreshTokenRow old, String newId, String newTokenHash, Instant now, Instant expiresAt) {
        if (revokeRefreshToken(old.id(), now) == 0) {
            return false;
        }
        insertRefreshToken(newId, old.hostId(), newTokenHash, now, expiresAt);
        return true;
    }
}
