package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.CreateHostRequest;
import dev.kiln.api.representation.HostCredentials;
import dev.kiln.api.representation.HostDeletePreview;
import dev.kiln.api.representation.HostView;
import dev.kiln.api.representation.RefreshRequest;
import dev.kiln.api.representation.RegisterHostRequest;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.HostService;
import dev.kiln.db.BuildArchiveRow;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;

@Path("/v1/hosts")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class HostResource {
    private final HostService hosts;
    private final Authenticator authenticator;

    public HostResource(HostService hosts, Authenticator authenticator) {
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @POST
    public Response create(@HeaderParam("Authorization") String authorization, @Context UriInfo uri,
            CreateHostRequest request) {
        var caller = authenticator.user(authorization);
        String apiUrl = uri.getBaseUri().toString().replaceAll("/+$", "");
        return Response.status(201).entity(hosts.create(caller, requireBody(request), apiUrl)).build();
    }

    @GET
    public List<HostView> list(@HeaderParam("Authorization") String authorization) {
        return hosts.list(authenticator.user(authorization));
    }

    @GET
    @Path("/{id}")
    public HostView get(@HeaderParam("Authorization") String authorization, @PathParam("id") String hostId) {
        return hosts.get(authenticator.user(authorization), hostId);
    }

    @POST
    @Path("/{id}/token")
    public Response newToken(@HeaderParam("Authorization") String authorization, @PathParam("id") String hostId) {
        return Response.status(201).entity(hosts.newRegistrationToken(authenticator.user(authorization), hostId)).build();
    }

    @POST
    @Path("/{id}/drain")
    public HostView drain(@HeaderParam("Authorization") String authorization, @PathParam("id") String hostId) {
        return hosts.setDraining(authenticator.user(authorization), hostId, true);
    }

    @POST
    @Path("/{id}/undrain")
    public HostView undrain(@HeaderParam("Authorization") String authorization, @PathParam("id") String hostId) {
        return hosts.setDraining(authenticator.user(authorization), hostId, false);
    }

    @GET
    @Path("/{id}/delete-preview")
    public HostDeletePreview deletePreview(
            @HeaderParam("Authorization") String authorization, @PathParam("id") String hostId) {
        return hosts.deletePreview(authenticator.user(authorization), hostId);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(
            @HeaderParam("Authorization") String authorization, @PathParam("id") String hostId,
            @QueryParam("force") boolean force) {
        hosts.delete(authenticator.user(authorization), hostId, force);
        return Response.noContent().build();
    }

    /** No auth: the one-time registration token in the body is the credential. */
    @POST
    @Path("/register")
    public Response register(RegisterHostRequest request) {
        return Response.status(201).entity(hosts.register(requireBody(request))).build();
    }

    /** No auth: the refresh token in the body is the credential. */
    @POST
    @Path("/auth/refresh")
    public HostCredentials refresh(RefreshRequest request) {
        return hosts.refresh(requireBody(request).refreshToken());
    }

    /** The archive uploaded with a build placed on this host; the headers let the host check what it received. */
    @GET
    @Path("/{id}/builds/{buildId}/archive")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response archive(
            @HeaderParam("X-Host-Token") String hostToken, @PathParam("id") String hostId,
            @PathParam("buildId") String buildId) {
        BuildArchiveRow archive = hosts.archive(hostToken, hostId, buildId);
        StreamingOutput body = output -> hosts.writeArchive(archive, output);
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, archive.sizeBytes())
                .header("X-Archive-Format", archive.format())
                .header("X-Archive-Sha256", archive.sha256())
                .build();
    }

    @POST
    @Path("/{id}/heartbeat")
    public Response heartbeat(
            @HeaderParam("X-Host-Token") String hostToken, @PathParam("id") String hostId,
            @QueryParam("paused_sandboxes") boolean pausedSandboxes,
            @QueryParam("sandboxes_changed") boolean sandboxesChanged, Map<String, Object> load) {
        return Response.ok(hosts.heartbeat(hostToken, hostId, load, pausedSandboxes, sandboxesChanged)).build();
    }
}
