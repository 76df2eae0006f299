package dev.kiln.db;

import java.util.List;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Images of deleted templates that hosts still hold because they were away (or failed) when the template went. */
public interface PendingImageRemovalDao {
    @SqlUpdate("""
            INSERT INTO pending_image_removals (host_id, image_ref, template_id) VALUES (:hostId, :imageRef, :templateId)
            ON CONFLICT DO NOTHING
            """)
    void remember(String hostId, String imageRef, String templateId);

    @SqlQuery("SELECT image_ref FROM pending_image_removals WHERE host_id = :hostId ORDER BY created_at, image_ref")
    List<String> imagesFor(String hostId);

    @SqlUpdate("DELETE FROM pending_image_removals WHERE host_id = :hostId AND image_ref = :imageRef")
    int forget(String hostId, String imageRef);
}
