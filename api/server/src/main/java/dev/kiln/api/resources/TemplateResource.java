package dev.kiln.api.resources;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.TemplateView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.TemplateService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public final class TemplateResource {
    private final TemplateService templates;
    private final Authenticator authenticator;

    public TemplateResource(TemplateService templates, Authenticator authenticator) {
        this.templates = requireNonNull(templates, "templates is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    /** The caller's team templates and the platform's, newest first. */
    @GET
    public List<TemplateView> list(@HeaderParam("Authorization") String authorization, @QueryParam("type") String type) {
        return templates.list(authenticator.user(authorization), type);
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@HeaderParam("Authorization") String authorization, @PathParam("name") String name) {
        templates.delete(authenticator.user(authorization), name);
        return Response.noContent().build();
    }
}
