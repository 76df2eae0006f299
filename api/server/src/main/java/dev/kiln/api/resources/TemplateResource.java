package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.TemplateService;
import dev.kiln.api.core.TemplateVersionService;
import dev.kiln.api.representation.RevokeVersionRequest;
import dev.kiln.api.representation.RollbackTagRequest;
import dev.kiln.api.representation.SetTagRequest;
import dev.kiln.api.representation.TagMoveView;
import dev.kiln.api.representation.TemplateTagView;
import dev.kiln.api.representation.TemplateVersionView;
import dev.kiln.api.representation.TemplateView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Templates, their versions and their tags. The version and tag routes serve the caller's team templates and the
 * platform's; changing a platform template's needs an admin key.
 */
@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public final class TemplateResource {
    private final TemplateService templates;
    private final TemplateVersionService versions;
    private final Authenticator authenticator;

    public TemplateResource(TemplateService templates, TemplateVersionService versions, Authenticator authenticator) {
        this.templates = requireNonNull(templates, "templates is null");
        this.versions = requireNonNull(versions, "versions is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    /** The caller's team templates and the platform's, newest first, each at its latest. */
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

    @GET
    @Path("/{name}/versions")
    public List<TemplateVersionView> versions(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name) {
        return versions.versions(authenticator.user(authorization), name);
    }

    @POST
    @Path("/{name}/versions/{version}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    public TemplateVersionView revoke(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name, @PathParam("version") String version, RevokeVersionRequest request) {
        return versions.revoke(authenticator.user(authorization), name, version, request);
    }

    @POST
    @Path("/{name}/versions/{version}/restore")
    public TemplateVersionView restore(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name, @PathParam("version") String version) {
        return versions.restore(authenticator.user(authorization), name, version);
    }

    @GET
    @Path("/{name}/tags")
    public List<TemplateTagView> tags(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name) {
        return versions.tags(authenticator.user(authorization), name);
    }

    @PUT
    @Path("/{name}/tags/{tag}")
    @Consumes(MediaType.APPLICATION_JSON)
    public TemplateTagView setTag(@HeaderParam("Authorization") String authorization, @PathParam("name") String name,
            @PathParam("tag") String tag, SetTagRequest request) {
        var caller = authenticator.user(authorization);
        return versions.setTag(caller, name, tag, requireBody(request));
    }

    @POST
    @Path("/{name}/tags/{tag}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public TemplateTagView rollback(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name, @PathParam("tag") String tag, RollbackTagRequest request) {
        return versions.rollback(authenticator.user(authorization), name, tag, request);
    }

    @GET
    @Path("/{name}/tags/{tag}/history")
    public List<TagMoveView> history(@HeaderParam("Authorization") String authorization,
            @PathParam("name") String name, @PathParam("tag") String tag) {
        return versions.history(authenticator.user(authorization), name, tag);
    }
}
