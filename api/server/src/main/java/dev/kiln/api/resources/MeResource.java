package dev.kiln.api.resources;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.Caller;
import dev.kiln.api.representation.MeView;
import dev.kiln.db.TeamDao;
import dev.kiln.db.TeamRow;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jdbi.v3.core.Jdbi;

/** The caller's key: the console signs in with it and shows the admin pages to admin keys only. */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public final class MeResource {
    private final Authenticator authenticator;
    private final Jdbi jdbi;
    private final MeView.Settings settings;

    public MeResource(Authenticator authenticator, Jdbi jdbi, MeView.Settings settings) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    @GET
    public MeView get(@HeaderParam("Authorization") String authorization) {
        Caller caller = authenticator.user(authorization);
        String teamName = jdbi.onDemand(TeamDao.class).findById(caller.teamId()).map(TeamRow::name).orElse(caller.teamId());
        return new MeView(caller.keyId(), caller.teamId(), teamName, caller.admin(), settings);
    }
}
