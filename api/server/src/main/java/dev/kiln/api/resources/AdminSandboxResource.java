package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.AdminSnapshotRequest;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.SnapshotService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The admins' snapshot: a platform sandbox into a platform template. */
@Path("/v1/admin/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class AdminSandboxResource {
    private final SnapshotService snapshots;
    private final Authenticator authenticator;

    public AdminSandboxResource(SnapshotService snapshots, Authenticator authenticator) {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @POST
    @Path("/{id}/snapshot")
    public Response adminSnapshot(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            AdminSnapshotRequest request) {
        var admin = authenticator.admin(authorization);
        return Response.status(201).entity(snapshots.adminSnapshot(admin, id, requireBody(request))).build();
    }
}
