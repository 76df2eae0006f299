package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.QualifiedArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.QualifiedColumnMapperFactory;
import org.jdbi.v3.core.qualifier.QualifiedType;
import org.postgresql.util.PGobject;

/** Binds and reads {@link Jsonb} values as JSONB text. */
final class JsonbCodec implements QualifiedArgumentFactory, QualifiedColumnMapperFactory {
    private final ObjectMapper mapper;

    JsonbCodec(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    @Override
    public Optional<Argument> build(QualifiedType<?> type, Object value, ConfigRegistry config) {
        if (!type.hasQualifier(Jsonb.class)) {
            return Optional.empty();
        }
        return Optional.of((position, statement, context) -> {
            if (value == null) {
                statement.setNull(position, Types.OTHER);
                return;
            }
            // Typed as jsonb, not varchar: the server refuses to assign a varchar parameter to a jsonb column.
            PGobject json = new PGobject();
            json.setType("jsonb");
            json.setValue(write(value));
            statement.setObject(position, json);
        });
    }

    @Override
    public Optional<ColumnMapper<?>> build(QualifiedType<?> type, ConfigRegistry config) {
        if (!type.hasQualifier(Jsonb.class)) {
            return Optional.empty();
        }
        JavaType javaType = mapper.getTypeFactory().constructType(type.getType());
        return Optional.of((resultSet, column, context) -> {
            String text = resultSet.getString(column);
            return text == null ? null : read(text, javaType);
        });
    }

    private String write(Object value) throws SQLException {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    private Object read(String text, JavaType javaType) throws SQLException {
        try {
            return mapper.readValue(text, javaType);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot read JSON as " + javaType, e);
        }
    }
}
