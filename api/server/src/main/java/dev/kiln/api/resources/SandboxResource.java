package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.CreateSandboxRequest;
import dev.kiln.api.representation.ExecSandboxRequest;
import dev.kiln.api.representation.ExecView;
import dev.kiln.api.representation.FleetStatsView;
import dev.kiln.api.representation.MetricsView;
import dev.kiln.api.representation.SandboxView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.FleetStats;
import dev.kiln.api.core.SandboxService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

@Path("/v1/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class SandboxResource {
    private final SandboxService sandboxes;
    private final FleetStats stats;
    private final Authenticator authenticator;

    public SandboxResource(SandboxService sandboxes, FleetStats stats, Authenticator authenticator) {
        this.sandboxes = requireNonNull(sandboxes, "sandboxes is null");
        this.stats = requireNonNull(stats, "stats is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @POST
    public Response create(@HeaderParam("Authorization") String authorization, CreateSandboxRequest request) {
        var caller = authenticator.user(authorization);
        return Response.status(201).entity(sandboxes.create(caller, requireBody(request))).build();
    }

    @GET
    public List<SandboxView> list(@HeaderParam("Authorization") String authorization) {
        return sandboxes.list(authenticator.user(authorization));
    }

    /** The team's series, or the whole fleet's for an admin key; see {@link FleetStats}. */
    @GET
    @Path("/stats")
    public FleetStatsView stats(@HeaderParam("Authorization") String authorization, @QueryParam("range") String range) {
        return stats.series(authenticator.user(authorization), range);
    }

    @GET
    @Path("/{id}")
    public SandboxView get(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return sandboxes.get(authenticator.user(authorization), id);
    }

    @POST
    @Path("/{id}/exec")
    public ExecView exec(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            ExecSandboxRequest request) {
        var caller = authenticator.user(authorization);
        return sandboxes.exec(caller, id, requireBody(request));
    }

    @POST
    @Path("/{id}/pause")
    public SandboxView pause(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return sandboxes.pause(authenticator.user(authorization), id);
    }

    @POST
    @Path("/{id}/resume")
    public SandboxView resume(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return sandboxes.resume(authenticator.user(authorization), id);
    }

    @DELETE
    @Path("/{id}")
    public Response destroy(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        sandboxes.destroy(authenticator.user(authorization), id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/metrics")
    public MetricsView metrics(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            @QueryParam("range") String range) {
        return sandboxes.metrics(authenticator.user(authorization), id, range);
    }
}
