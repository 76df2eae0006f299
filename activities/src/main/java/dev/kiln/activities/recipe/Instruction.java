package dev.kiln.activities.recipe;

public enum Instruction {
    RUN,
    START,
    ENV,
    WORKDIR,
    USER,
    COPY
}
