package dev.kiln.db;

import dev.kiln.model.WireValue;
import java.lang.reflect.Type;
import java.sql.Types;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.ColumnMapperFactory;

/**
 * Binds and reads Kiln's status enums ({@link WireValue}) as their spelling, the strings the schema's CHECK
 * constraints list. Without it JDBI would use the constant's name ({@code RUNNING}), which the constraints refuse.
 */
final class WireValueCodec implements ArgumentFactory.Preparable, ColumnMapperFactory {

    @Override
    public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
        if (wireEnum(type).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(value -> (position, statement, context) -> {
            if (value == null) {
                statement.setNull(position, Types.VARCHAR);
            } else {
                statement.setString(position, ((WireValue) value).wire());
            }
        });
    }

    @Override
    public Optional<ColumnMapper<?>> build(Type type, ConfigRegistry config) {
        return wireEnum(type).map(WireValueCodec::mapper);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ColumnMapper<?> mapper(Class<?> type) {
        Class enumType = type;
        return (resultSet, column, context) -> {
            String text = resultSet.getString(column);
            return text == null ? null : WireValue.parse(enumType, text);
        };
    }

    private static Optional<Class<?>> wireEnum(Type type) {
        Class<?> raw = GenericTypes.getErasedType(type);
        return raw.isEnum() && WireValue.class.isAssignableFrom(raw) ? Optional.of(raw) : Optional.empty();
    }
}
