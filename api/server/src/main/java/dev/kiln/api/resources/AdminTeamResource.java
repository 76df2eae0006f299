package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static dev.kiln.api.core.Requests.requireText;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.ApiKeyCreated;
import dev.kiln.api.representation.CreateApiKeyRequest;
import dev.kiln.api.representation.CreateTeamRequest;
import dev.kiln.api.representation.TeamView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.errors.ApiException;
import dev.kiln.db.ApiKeyDao;
import dev.kiln.db.ApiKeyRow;
import dev.kiln.db.Ids;
import dev.kiln.db.TeamDao;
import dev.kiln.db.TeamRow;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

@Path("/v1/admin/teams")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class AdminTeamResource {
    private static final int KEY_BYTES = 32;

    private final Jdbi jdbi;
    private final Authenticator authenticator;
    private final Clock clock;

    public AdminTeamResource(Jdbi jdbi, Authenticator authenticator, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @POST
    public Response create(@HeaderParam("Authorization") String authorization, CreateTeamRequest request) {
        authenticator.admin(authorization);
        requireBody(request);
        TeamRow team = new TeamRow(Ids.newId("team"), requireText(request.name(), "name"),
                Boolean.TRUE.equals(request.byoc()), clock.instant());
        TeamDao teams = jdbi.onDemand(TeamDao.class);
        teams.insert(team);
        return Response.status(201).entity(TeamView.of(teams.findById(team.id()).orElseThrow())).build();
    }

    @POST
    @Path("/{id}/api-keys")
    public Response createKey(
            @HeaderParam("Authorization") String authorization, @PathParam("id") String teamId,
            CreateApiKeyRequest request) {
        authenticator.admin(authorization);
        requireBody(request);
        String name = requireText(request.name(), "name");
        if (jdbi.onDemand(TeamDao.class).findById(teamId).isEmpty()) {
            throw ApiException.notFound("team", teamId);
        }
        boolean admin = Boolean.TRUE.equals(request.admin());
        if (admin && !Ids.PLATFORM_TEAM_ID.equals(teamId)) {
            throw ApiException.badRequest("admin keys belong to the platform team only");
        }
        String key = "kiln_" + Ids.randomTokenHex(KEY_BYTES);
        ApiKeyRow row = new ApiKeyRow(Ids.newId("key"), teamId, name, Ids.sha256Hex(key), admin, clock.instant(), null);
        jdbi.onDemand(ApiKeyDao.class).insert(row);
        return Response.status(201).entity(new ApiKeyCreated(row.id(), teamId, name, admin, key)).build();
    }
}
