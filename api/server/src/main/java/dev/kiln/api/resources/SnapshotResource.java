package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.representation.SnapshotRequest;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.SnapshotService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Snapshots answer when the template exists; a client that goes away meanwhile finds it listed later. */
@Path("/v1/snapshots")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class SnapshotResource {
    private final SnapshotService snapshots;
    private final Authenticator authenticator;

    public SnapshotResource(SnapshotService snapshots, Authenticator authenticator) {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @POST
    public Response snapshot(@HeaderParam("Authorization") String authorization, SnapshotRequest request) {
        var caller = authenticator.user(authorization);
        return Response.status(201).entity(snapshots.snapshot(caller, requireBody(request))).build();
    }
}
