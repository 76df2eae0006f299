package dev.kiln.api.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The REST contract as OpenAPI 3.0, for anyone: it describes the routes, it opens none of them. */
@Path("/openapi.yaml")
public final class OpenApiResource {
    static final String DOCUMENT = "/openapi.yaml";
    static final String MEDIA_TYPE = "text/yaml";

    private final byte[] document;

    /** Reads the document once, at start: a jar without it fails to start rather than answering 500 later. */
    public OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing from the classpath");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + DOCUMENT, e);
        }
    }

    @GET
    @Produces(MEDIA_TYPE + ";charset=utf-8")
    public Response get() {
        return Response.ok(document).build();
    }
}
