package dev.kiln.db;

import static java.util.Objects.requireNonNull;

/** A template name that is already used by the team, or shadows or is shadowed by a platform template. */
public final class TemplateNameTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String name;

    public TemplateNameTakenException(String name, Throwable cause) {
        super("template name is taken: " + requireNonNull(name, "name"), cause);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
