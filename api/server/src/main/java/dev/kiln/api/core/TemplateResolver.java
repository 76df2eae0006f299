package dev.kiln.api.core;

import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.db.TemplateAtVersion;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.db.TemplateVersionRow;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Turns what a sandbox or a build names ({@code name}, {@code name:tag}, {@code name@v3}) into the template version
 * it starts from, and refuses a revoked one. A tag read here may move a moment later: what starts is the version it
 * named when it was read.
 */
public final class TemplateResolver {
    private final Jdbi jdbi;

    public TemplateResolver(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    /**
     * The version {@code ref} names among the team's templates and the platform's.
     *
     * @param what how messages name it: "template", "base template"
     * @throws ApiException 404 {@code template_not_found} for an unknown name, tag or version; 409 {@code revoked}
     *     for a revoked version
     */
    public TemplateAtVersion resolve(String teamId, TemplateRef ref, String what) {
        TemplateRow template = jdbi.onDemand(TemplateDao.class).findVisible(teamId, ref.name())
                .orElseThrow(() -> notFound(what + " \"" + ref.name() + "\" not found"));
        TemplateVersionDao versions = jdbi.onDemand(TemplateVersionDao.class);
        TemplateVersionRow version = ref.version() != null
                ? versions.find(template.id(), ref.version())
                        .orElseThrow(() -> notFound(what + " \"" + ref.name() + "\" has no version " + ref.version()))
                : versions.findAtTag(template.id(), ref.tag())
                        .orElseThrow(() -> notFound(what + " \"" + ref.name() + "\" has no tag \"" + ref.tag() + "\""));
        if (version.revoked()) {
            throw revoked(template, version, ref);
        }
        return new TemplateAtVersion(template, version);
    }

    private static ApiException notFound(String message) {
        return new ApiException(ErrorCode.TEMPLATE_NOT_FOUND, message);
    }

    /** Names the version, why it was revoked, and for a tag what to do about it. */
    static ApiException revoked(TemplateRow template, TemplateVersionRow version, TemplateRef ref) {
        StringBuilder message = new StringBuilder("template ").append(template.name()).append("@v")
                .append(version.version()).append(" is revoked");
        if (version.revokeReason() != null) {
            message.append(": ").append(version.revokeReason());
        }
        if (ref.tag() != null) {
            message.append("; its tag \"").append(ref.tag()).append("\" points at it: roll the tag back or set it to "
                    + "another version");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("template", template.name());
        details.put("version", version.version());
        details.put("revoked_at", version.revokedAt().toString());
        if (version.revokeReason() != null) {
            details.put("revoke_reason", version.revokeReason());
        }
        return new ApiException(ErrorCode.REVOKED, message.toString(), details);
    }
}
