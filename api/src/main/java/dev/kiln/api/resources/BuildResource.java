package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.api.BuildRequest;
import dev.kiln.api.api.BuildView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.BuildService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

@Path("/v1/admin/builds")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class BuildResource {
    private final BuildService builds;
    private final Authenticator authenticator;

    public BuildResource(BuildService builds, Authenticator authenticator) {
        this.builds = requireNonNull(builds, "builds is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @POST
    public Response submit(@HeaderParam("Authorization") String authorization, BuildRequest request) {
        var caller = authenticator.admin(authorization);
        return Response.status(202).entity(builds.submit(caller, requireBody(request))).build();
    }

    @GET
    public List<BuildView> list(@HeaderParam("Authorization") String authorization, @QueryParam("status") String status) {
        authenticator.admin(authorization);
        return builds.list(status);
    }

    @GET
    @Path("/{id}")
    public BuildView get(@HeaderParam("Authorization") String authorization, @PathParam("id") String buildId) {
        authenticator.admin(authorization);
        return builds.get(buildId);
    }
}
