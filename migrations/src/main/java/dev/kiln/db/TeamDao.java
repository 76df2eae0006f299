package dev.kiln.db;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(TeamRow.class)
public interface TeamDao {
    @SqlUpdate("""
            INSERT INTO teams (id, name, byoc, created_at)
            VALUES (:id, :name, :byoc, COALESCE(:createdAt, now()))
            """)
    void insert(@BindMethods TeamRow team);

    @SqlQuery("SELECT * FROM teams WHERE id = :id")
    Optional<TeamRow> findById(String id);
}
