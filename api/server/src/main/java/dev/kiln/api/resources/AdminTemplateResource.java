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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

@Path("/v1/admin/templates")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminTemplateResource {
    private final TemplateService templates;
    private final Authenticator authenticator;

    public AdminTemplateResource(TemplateService templates, Authenticator authenticator) {
        this.templates = requireNonNull(templates, "templates is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    /** Every team's templates and the platform's. */
    @GET
    public List<TemplateView> listAll(@HeaderParam("Authorization") String authorization) {
        authenticator.admin(authorization);
        return templates.listAll();
    }

    @DELETE
    @Path("/{name}")
    public Response deletePlatform(@HeaderParam("Authorization") String authorization, @PathParam("name") String name) {
        authenticator.admin(authorization);
        templates.deletePlatform(name);
        return Response.noContent().build();
    }
}
