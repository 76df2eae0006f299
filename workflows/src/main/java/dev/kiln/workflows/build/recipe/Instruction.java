package dev.kiln.workflows.build.recipe;

public enum Instruction {
    RUN,
    START,
    ENV,
    WORKDIR,
    USER,
    COPY
}
