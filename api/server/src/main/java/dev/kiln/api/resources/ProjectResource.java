package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.GoldenView;
import dev.kiln.api.representation.ProjectView;
import dev.kiln.api.representation.PutProjectRequest;
import dev.kiln.api.representation.SessionView;
import dev.kiln.api.representation.StartSessionRequest;
import dev.kiln.api.representation.WriteRateView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.ProjectService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

@Path("/v1/projects")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class ProjectResource {
    private final ProjectService projects;
    private final Authenticator authenticator;

    public ProjectResource(ProjectService projects, Authenticator authenticator) {
        this.projects = requireNonNull(projects, "projects is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @GET
    public List<ProjectView> list(@HeaderParam("Authorization") String authorization) {
        return projects.list(authenticator.user(authorization));
    }

    @PUT
    @Path("/{id}")
    public ProjectView put(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            PutProjectRequest request) {
        var caller = authenticator.user(authorization);
        return projects.put(caller, id, requireBody(request));
    }

    @POST
    @Path("/{id}/golden/build")
    public Response build(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return Response.status(202).entity(projects.build(authenticator.user(authorization), id)).build();
    }

    @POST
    @Path("/{id}/golden/cancel")
    public Response cancel(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        projects.cancel(authenticator.user(authorization), id);
        return Response.status(202).entity(Map.of("status", "cancelling")).build();
    }

    @DELETE
    @Path("/{id}/golden")
    public Response clear(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        projects.clear(authenticator.user(authorization), id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/golden")
    public GoldenView golden(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return projects.golden(authenticator.user(authorization), id);
    }

    @GET
    @Path("/{id}/golden/builds/{buildId}/io")
    public WriteRateView io(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            @PathParam("buildId") String buildId) {
        return projects.writeRate(authenticator.user(authorization), id, buildId);
    }

    @GET
    @Path("/{id}/sessions")
    public List<SessionView> sessions(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return projects.sessions(authenticator.user(authorization), id);
    }

    @POST
    @Path("/{id}/sessions")
    public Response startSession(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            StartSessionRequest request) {
        var caller = authenticator.user(authorization);
        return Response.status(202).entity(projects.startSession(caller, id, request)).build();
    }
}
