package dev.kiln.api.core;

import static dev.kiln.api.core.Requests.require;
import static java.util.Objects.requireNonNull;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.representation.RevokeVersionRequest;
import dev.kiln.api.representation.RollbackTagRequest;
import dev.kiln.api.representation.SetTagRequest;
import dev.kiln.api.representation.TagMoveView;
import dev.kiln.api.representation.TemplateTagView;
import dev.kiln.api.representation.TemplateVersionView;
import dev.kiln.db.Ids;
import dev.kiln.db.TagMoveRow;
import dev.kiln.db.TemplateDao;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateTagRow;
import dev.kiln.db.TemplateVersionDao;
import dev.kiln.db.TemplateVersionRow;
import dev.kiln.model.TagMoveReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * A template's versions and tags: listing them, moving and rolling back tags, revoking and restoring versions. A team
 * reads its own templates and the platform's, and changes its own; the platform's are changed by admins, as they are
 * deleted by admins. Revoking a version stops new sandboxes and builds from it; those running go on (HCP Packer's
 * revocation), since their image ref was fixed when they started.
 */
public final class TemplateVersionService {
    private static final int MAX_REASON_LENGTH = 500;

    private final Jdbi jdbi;
    private final Clock clock;

    public TemplateVersionService(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Newest first, each with the tags that point at it. */
    public List<TemplateVersionView> versions(Caller caller, String name) {
        TemplateRow template = visible(caller, name);
        TemplateVersionDao versions = versions();
        Map<Integer, List<String>> tags = new HashMap<>();
        for (TemplateTagRow tag : versions.tags(template.id())) {
            tags.computeIfAbsent(tag.version(), version -> new ArrayList<>()).add(tag.tag());
        }
        return versions.list(template.id()).stream()
                .map(version -> TemplateVersionView.of(template, version, tags.getOrDefault(version.version(), List.of())))
                .toList();
    }

    /** {@code latest} first, then by name. */
    public List<TemplateTagView> tags(Caller caller, String name) {
        return versions().tags(visible(caller, name).id()).stream().map(TemplateTagView::of).toList();
    }

    /** Newest move first. */
    public List<TagMoveView> history(Caller caller, String name, String tag) {
        TemplateRow template = visible(caller, name);
        List<TagMoveRow> moves = versions().history(template.id(), safeTag(tag));
        if (moves.isEmpty()) {
            throw noTag(template, tag);
        }
        return moves.stream().map(TagMoveView::of).toList();
    }

    /** Creates the tag or moves it; a move to where it already points changes and records nothing. */
    public TemplateTagView setTag(Caller caller, String name, String tag, SetTagRequest request) {
        TemplateRow template = managed(caller, name);
        String checkedTag = safeTag(tag);
        int version = require(request.version(), "version");
        return move(caller, template, checkedTag, taggable(template, version), TagMoveReason.SET);
    }

    /**
     * Moves the tag back: to {@code version}, which the tag must have held before, or without one to the version it
     * held before its current one. Rolling back twice so returns to where it started, as undo does.
     */
    public TemplateTagView rollback(Caller caller, String name, String tag, RollbackTagRequest request) {
        TemplateRow template = managed(caller, name);
        String checkedTag = safeTag(tag);
        List<TagMoveRow> moves = versions().history(template.id(), checkedTag);
        if (moves.isEmpty()) {
            throw noTag(template, checkedTag);
        }
        int target;
        if (request == null || request.version() == null) {
            Integer previous = moves.get(0).fromVersion();
            if (previous == null) {
                throw new ApiException(ErrorCode.INVALID_STATE, "tag \"" + checkedTag + "\" of template "
                        + template.name() + " has pointed at no other version: there is nothing to roll back to");
            }
            target = previous;
        } else {
            target = request.version();
            if (moves.stream().noneMatch(move -> move.toVersion() == target)) {
                throw new ApiException(ErrorCode.INVALID_STATE, "tag \"" + checkedTag + "\" of template "
                        + template.name() + " never pointed at v" + target + ": set it with PUT instead");
            }
        }
        return move(caller, template, checkedTag, taggable(template, target), TagMoveReason.ROLLBACK);
    }

    /** Refuses new sandboxes and builds from the version; the first revocation and its reason are kept. */
    public TemplateVersionView revoke(Caller caller, String name, String version, RevokeVersionRequest request) {
        TemplateRow template = managed(caller, name);
        int number = existing(template, TemplateRef.parseVersion(version)).version();
        String reason = request == null ? null : request.reason();
        if (reason != null && reason.length() > MAX_REASON_LENGTH) {
            throw ApiException.badRequest("field reason must be at most " + MAX_REASON_LENGTH + " characters");
        }
        versions().revoke(template.id(), number, caller.keyId(), reason, clock.instant());
        return view(template, number);
    }

    /** Undoes a revocation; a version that is not revoked stays as it is. */
    public TemplateVersionView restore(Caller caller, String name, String version) {
        TemplateRow template = managed(caller, name);
        int number = existing(template, TemplateRef.parseVersion(version)).version();
        versions().restore(template.id(), number);
        return view(template, number);
    }

    private TemplateTagView move(Caller caller, TemplateRow template, String tag, TemplateVersionRow version,
            TagMoveReason reason) {
        TemplateVersionDao versions = versions();
        try {
            versions.moveTag(template.id(), tag, version.version(), reason, caller.keyId(), clock.instant());
        } catch (IllegalStateException e) {
            throw ApiException.notFound("template", template.name());
        }
        return versions.findTag(template.id(), tag).map(TemplateTagView::of)
                .orElseThrow(() -> ApiException.notFound("template", template.name()));
    }

    /** A version a tag may point at: it exists and is not revoked. */
    private TemplateVersionRow taggable(TemplateRow template, int version) {
        TemplateVersionRow row = existing(template, version);
        if (row.revoked()) {
            throw TemplateResolver.revoked(template, row, new TemplateRef(template.name(), null, version));
        }
        return row;
    }

    private TemplateVersionRow existing(TemplateRow template, int version) {
        return versions().find(template.id(), version).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                "template " + template.name() + " has no version " + version));
    }

    private TemplateVersionView view(TemplateRow template, int version) {
        TemplateVersionDao versions = versions();
        List<String> tags = versions.tags(template.id()).stream()
                .filter(tag -> tag.version() == version).map(TemplateTagRow::tag).toList();
        return TemplateVersionView.of(template, versions.find(template.id(), version).orElseThrow(), tags);
    }

    /** The team's template of that name, else the platform's. */
    private TemplateRow visible(Caller caller, String name) {
        return jdbi.onDemand(TemplateDao.class).findVisible(caller.teamId(), name)
                .orElseThrow(() -> ApiException.notFound("template", name));
    }

    /** A template the caller may change: its team's, or for an admin the platform's. */
    private TemplateRow managed(Caller caller, String name) {
        TemplateRow template = visible(caller, name);
        if (Ids.PLATFORM_TEAM_ID.equals(template.teamId()) && !caller.teamId().equals(Ids.PLATFORM_TEAM_ID)) {
            throw ApiException.forbidden("platform templates are managed by admins");
        }
        return template;
    }

    private static String safeTag(String tag) {
        if (!SafeNames.isSafe(tag)) {
            throw ApiException.badRequest("a tag must match [a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");
        }
        return tag;
    }

    private static ApiException noTag(TemplateRow template, String tag) {
        return new ApiException(ErrorCode.NOT_FOUND, "template " + template.name() + " has no tag \"" + tag + "\"");
    }

    private TemplateVersionDao versions() {
        return jdbi.onDemand(TemplateVersionDao.class);
    }
}
