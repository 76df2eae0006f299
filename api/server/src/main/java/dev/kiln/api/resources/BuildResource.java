package dev.kiln.api.resources;

import static dev.kiln.api.core.Requests.requireBody;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.representation.BuildRequest;
import dev.kiln.api.representation.BuildView;
import dev.kiln.api.core.ArchiveReader;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.core.BuildEventStream;
import dev.kiln.api.core.BuildService;
import dev.kiln.api.core.UploadedArchive;
import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.JsonExceptionMapper;
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
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.glassfish.jersey.media.multipart.BodyPartEntity;
import org.glassfish.jersey.media.multipart.FormDataBodyPart;
import org.glassfish.jersey.media.multipart.FormDataMultiPart;

@Path("/v1/admin/builds")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class BuildResource {
    private final BuildService builds;
    private final BuildEventStream events;
    private final Authenticator authenticator;
    private final ObjectMapper json;
    private final long maxArchiveBytes;

    /**
     * @param json reads the config part of a multipart submit as Jersey reads a JSON body
     */
    public BuildResource(
            BuildService builds, BuildEventStream events, Authenticator authenticator, ObjectMapper json,
            long maxArchiveBytes) {
        this.builds = requireNonNull(builds, "builds is null");
        this.events = requireNonNull(events, "events is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.json = requireNonNull(json, "json is null");
        this.maxArchiveBytes = maxArchiveBytes;
    }

    @POST
    public Response submit(@HeaderParam("Authorization") String authorization, BuildRequest request) {
        var caller = authenticator.admin(authorization);
        return Response.status(202).entity(builds.submit(caller, requireBody(request))).build();
    }

    /** The JSON body as a {@code config} part, and an optional {@code archive} part: a tar, tar.gz or zip. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response submitWithArchive(@HeaderParam("Authorization") String authorization, FormDataMultiPart form)
            throws IOException {
        var caller = authenticator.admin(authorization);
        FormDataBodyPart config = single(form, "config");
        if (config == null) {
            throw ApiException.badRequest("a config part with the build as JSON is required");
        }
        BuildRequest request = config(config);
        FormDataBodyPart archivePart = single(form, "archive");
        UploadedArchive archive = archivePart == null ? null : ArchiveReader.read(content(archivePart), maxArchiveBytes);
        return Response.status(202).entity(builds.submit(caller, request, archive)).build();
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

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@HeaderParam("Authorization") String authorization, @PathParam("id") String buildId) {
        var caller = authenticator.admin(authorization);
        return Response.status(202).entity(builds.cancel(caller, buildId)).build();
    }

    /**
     * Server-sent events until the build ends: {@code status}, {@code step-start}, {@code step-end},
     * {@code progress} and {@code log}, each with one line of JSON. An unknown build is a JSON 404, before any
     * event.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Response events(@HeaderParam("Authorization") String authorization, @PathParam("id") String buildId) {
        authenticator.admin(authorization);
        // Once the stream has started, an error can no longer change the status: look the build up first.
        builds.get(buildId);
        // no-transform and X-Accel-Buffering keep proxies from compressing or holding back the events.
        return Response.ok(events.of(buildId), MediaType.SERVER_SENT_EVENTS_TYPE)
                .header("Cache-Control", "no-cache, no-transform")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    private BuildRequest config(FormDataBodyPart part) throws IOException {
        BuildRequest request;
        try {
            request = json.readValue(content(part), BuildRequest.class);
        } catch (JsonProcessingException e) {
            throw JsonExceptionMapper.unreadable(e, "the config part");
        }
        if (request == null) {
            throw ApiException.badRequest("the config part is empty");
        }
        return request;
    }

    private static InputStream content(FormDataBodyPart part) {
        return part.getEntityAs(BodyPartEntity.class).getInputStream();
    }

    /** The part of that name; null if there is none, and refused if there are several, which would be ambiguous. */
    private static FormDataBodyPart single(FormDataMultiPart form, String name) {
        List<FormDataBodyPart> parts = form.getFields(name);
        if (parts == null || parts.isEmpty()) {
            return null;
        }
        if (parts.size() > 1) {
            throw ApiException.badRequest("only one " + name + " part is allowed");
        }
        return parts.get(0);
    }
}
