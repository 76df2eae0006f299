package dev.kiln.api.resources;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.api.TemplateView;
import dev.kiln.api.core.Authenticator;
import dev.kiln.api.errors.ApiException;
import dev.kiln.db.TemplateDao;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public final class TemplateResource {
    private static final Set<String> TYPES = Set.of("image", "snapshot");

    private final Jdbi jdbi;
    private final Authenticator authenticator;

    public TemplateResource(Jdbi jdbi, Authenticator authenticator) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    /** The caller's team templates and the platform's, newest first. */
    @GET
    public List<TemplateView> list(@HeaderParam("Authorization") String authorization, @QueryParam("type") String type) {
        var caller = authenticator.user(authorization);
        if (type != null && !TYPES.contains(type)) {
            throw ApiException.badRequest("type must be image or snapshot");
        }
        return jdbi.onDemand(TemplateDao.class).listVisible(caller.teamId(), type).stream().map(TemplateView::of).toList();
    }
}
