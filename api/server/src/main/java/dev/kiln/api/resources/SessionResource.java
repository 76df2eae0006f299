package dev.kiln.api.resources;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.SessionView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.ProjectService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionResource {
    private final ProjectService projects;
    private final Authenticator authenticator;

    public SessionResource(ProjectService projects, Authenticator authenticator) {
        this.projects = requireNonNull(projects, "projects is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @GET
    @Path("/{id}")
    public SessionView get(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        return projects.session(authenticator.user(authorization), id);
    }

    @DELETE
    @Path("/{id}")
    public Response stop(@HeaderParam("Authorization") String authorization, @PathParam("id") String id) {
        projects.stopSession(authenticator.user(authorization), id);
        return Response.noContent().build();
    }
}
