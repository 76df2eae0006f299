package dev.kiln.db;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface HostAuditDao {
    @SqlUpdate("INSERT INTO host_audit (host_id, event, actor, detail) VALUES (:hostId, :event, :actor, :detail)")
    void insert(String hostId, String event, String actor, @Jsonb Map<String, Object> detail);

    @SqlQuery("SELECT event FROM host_audit WHERE host_id = :hostId ORDER BY id")
    List<String> events(String hostId);
}
