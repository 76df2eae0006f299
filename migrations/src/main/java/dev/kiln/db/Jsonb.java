package dev.kiln.db;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jdbi.v3.core.qualifier.Qualifier;

/**
 * Marks a value stored in a JSONB column, converted with Jackson by {@link Jdbis}.
 *
 * <p>This stands in for jdbi's own {@code @Json}: the Maven repository this project builds from has no jdbi3-json,
 * jdbi3-jackson2 or jdbi3-postgres at the jdbi version the Dropwizard BOM pins (3.53.0), and jdbi modules of
 * different versions are not meant to be mixed.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface Jsonb {}
