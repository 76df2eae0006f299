package dev.kiln.activities.recipe;

public enum Instruction {
    RUN
}
