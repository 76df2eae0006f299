package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.db.ApiKeyDao;
import dev.kiln.db.ApiKeyRow;
import dev.kiln.db.Ids;
import org.jdbi.v3.core.Jdbi;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Caller}. Resources call it explicitly, so every
 * route's auth requirement is visible at the route.
 */
public final class Authenticator {
    private static final String BEARER = "Bearer ";

    private final Jdbi jdbi;

    public Authenticator(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    public Caller user(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER) || authorization.length() == BEARER.length()) {
            throw ApiException.unauthorized("an API key is required: Authorization: Bearer <key>");
        }
        String key = authorization.substring(BEARER.length()).strip();
        ApiKeyRow row = jdbi.onDemand(ApiKeyDao.class)
                .findActiveByHash(Ids.sha256Hex(key))
                .orElseThrow(() -> ApiException.unauthorized("unknown or revoked API key"));
        return new Caller(row.id(), row.teamId(), row.admin());
    }

    public Caller admin(String authorization) {
        Caller caller = user(authorization);
        if (!caller.admin()) {
            throw ApiException.forbidden("this route needs an admin key");
        }
        return caller;
    }
}
