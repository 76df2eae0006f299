package dev.kiln.db;

import dev.kiln.model.TagMoveReason;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * A template's versions, its tags and every move of them. Whatever numbers a version or moves a tag first locks the
 * template's row, so that versions are numbered without gaps or doubles and each move's history row names the version
 * the tag really left.
 */
@RegisterConstructorMapper(TemplateRow.class)
@RegisterConstructorMapper(TemplateVersionRow.class)
@RegisterConstructorMapper(TemplateTagRow.class)
@RegisterConstructorMapper(TagMoveRow.class)
public interface TemplateVersionDao {
    String LATEST = "latest";

    @CreateSqlObject
    TemplateDao templates();

    @SqlQuery("SELECT * FROM templates WHERE id = :id FOR UPDATE")
    Optional<TemplateRow> lockById(String id);

    @SqlQuery("SELECT * FROM templates WHERE team_id = :teamId AND name = :name FOR UPDATE")
    Optional<TemplateRow> lockOwned(String teamId, String name);

    @SqlUpdate("""
            INSERT INTO template_versions (template_id, version, id, type, image_ref, vcpus, memory_mb, size_bytes,
                                           default_user, default_env, default_workdir, build_id, snapshot_id,
                                           parent_template_id, parent_name, parent_version, recipe_sha256,
                                           image_digest, base_image_digest, revoked_at, revoked_by, revoke_reason,
                                           created_at)
            VALUES (:templateId, :version, :id, :type, :imageRef, :vcpus, :memoryMb, :sizeBytes,
                    :defaultUser, :defaultEnv, :defaultWorkdir, :buildId, :snapshotId,
                    :parentTemplateId, :parentName, :parentVersion, :recipeSha256,
                    :imageDigest, :baseImageDigest, :revokedAt, :revokedBy, :revokeReason,
                    COALESCE(:createdAt, now()))
            """)
    void insert(@BindMethods TemplateVersionRow version);

    @SqlQuery("SELECT COALESCE(max(version), 0) + 1 FROM template_versions WHERE template_id = :templateId")
    int nextVersion(String templateId);

    @SqlQuery("SELECT * FROM template_versions WHERE template_id = :templateId AND version = :version")
    Optional<TemplateVersionRow> find(String templateId, int version);

    /** By the version's own id, which is also its image's name. */
    @SqlQuery("SELECT * FROM template_versions WHERE id = :id")
    Optional<TemplateVersionRow> findById(String id);

    /** Newest first. */
    @SqlQuery("SELECT * FROM template_versions WHERE template_id = :templateId ORDER BY version DESC")
    List<TemplateVersionRow> list(String templateId);

    @SqlQuery("""
            SELECT v.* FROM template_tags g
            JOIN template_versions v ON v.template_id = g.template_id AND v.version = g.version
            WHERE g.template_id = :templateId AND g.tag = :tag
            """)
    Optional<TemplateVersionRow> findAtTag(String templateId, String tag);

    /** {@code latest} first, then by name. */
    @SqlQuery("SELECT * FROM template_tags WHERE template_id = :templateId ORDER BY tag <> 'latest', tag")
    List<TemplateTagRow> tags(String templateId);

    @SqlQuery("SELECT * FROM template_tags WHERE template_id = :templateId AND tag = :tag")
    Optional<TemplateTagRow> findTag(String templateId, String tag);

    @SqlUpdate("""
            INSERT INTO template_tags (template_id, tag, version, moved_at) VALUES (:templateId, :tag, :version, :now)
            ON CONFLICT (template_id, tag) DO UPDATE SET version = EXCLUDED.version, moved_at = EXCLUDED.moved_at
            """)
    void upsertTag(String templateId, String tag, int version, Instant now);

    @SqlUpdate("""
            INSERT INTO template_tag_moves (template_id, tag, from_version, to_version, reason, moved_by, moved_at)
            VALUES (:templateId, :tag, :fromVersion, :toVersion, :reason, :movedBy, :now)
            """)
    @GetGeneratedKeys
    TagMoveRow insertMove(String templateId, String tag, Integer fromVersion, int toVersion, TagMoveReason reason,
            String movedBy, Instant now);

    /** Newest first. */
    @SqlQuery("SELECT * FROM template_tag_moves WHERE template_id = :templateId AND tag = :tag ORDER BY id DESC")
    List<TagMoveRow> history(String templateId, String tag);

    /**
     * Points {@code tag} at {@code version} and records the move, unless it points there already. The version must
     * exist; whether it may be tagged (not revoked, say) is the caller's to decide.
     *
     * @return the move, or empty if the tag already pointed at the version
     * @throws IllegalStateException if the template is gone
     */
    @Transaction
    default Optional<TagMoveRow> moveTag(String templateId, String tag, int version, TagMoveReason reason,
            String movedBy, Instant now) {
        if (lockById(templateId).isEmpty()) {
            throw new IllegalStateException("template " + templateId + " is gone");
        }
        return moveLocked(templateId, tag, version, reason, movedBy, now);
    }

    /** {@link #moveTag} for a caller that holds the template's lock. */
    private Optional<TagMoveRow> moveLocked(String templateId, String tag, int version, TagMoveReason reason,
            String movedBy, Instant now) {
        Integer from = findTag(templateId, tag).map(TemplateTagRow::version).orElse(null);
        if (from != null && from == version) {
            return Optional.empty();
        }
        upsertTag(templateId, tag, version, now);
        return Optional.of(insertMove(templateId, tag, from, version, reason, movedBy, now));
    }

    /**
     * Makes {@code version} the next version of the team's template {@code name}, creating the template (with the
     * version's id as its own) if there is none, and moves {@code latest} to it, all or nothing.
     *
     * @param reason {@link TagMoveReason#BUILD} or {@link TagMoveReason#SNAPSHOT}
     * @param movedBy the build or snapshot publishing it
     * @throws TemplateNameTakenException if the template does not exist and its name is taken in another space
     */
    @Transaction
    default TemplateVersionRow publish(String teamId, String name, NewTemplateVersion version, TagMoveReason reason,
            String movedBy, Instant now) {
        TemplateRow template = lockOwned(teamId, name).orElseGet(() -> {
            TemplateRow created = new TemplateRow(version.id(), teamId, name, now);
            templates().insertNamed(created);
            return created;
        });
        TemplateVersionRow numbered = version.numbered(template.id(), nextVersion(template.id()), now);
        insert(numbered);
        moveLocked(template.id(), LATEST, numbered.version(), reason, movedBy, now);
        return numbered;
    }

    /** Revokes the version, unless it already is: the first revocation is the one kept. */
    @SqlUpdate("""
            UPDATE template_versions SET revoked_at = :now, revoked_by = :by, revoke_reason = :reason
            WHERE template_id = :templateId AND version = :version AND revoked_at IS NULL
            """)
    int revoke(String templateId, int version, String by, String reason, Instant now);

    @SqlUpdate("""
            UPDATE template_versions SET revoked_at = NULL, revoked_by = NULL, revoke_reason = NULL
            WHERE template_id = :templateId AND version = :version
            """)
    int restore(String templateId, int version);

    /**
     * Deletes the template with every version, tag and move, and returns the versions it had, whose images must now
     * go; empty if it was already gone. The lock makes a publish into the name wait, and then find no template.
     */
    @Transaction
    default List<TemplateVersionRow> deleteTemplate(String templateId) {
        if (lockById(templateId).isEmpty()) {
            return List.of();
        }
        List<TemplateVersionRow> versions = list(templateId);
        templates().deleteById(templateId);
        return versions;
    }
}
