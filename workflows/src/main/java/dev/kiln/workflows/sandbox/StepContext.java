package dev.kiln.workflows.sandbox;

import java.util.Map;

/** Payload: the working directory, environment and user the next step runs with ("" workdir = none). */
public record StepContext(String workdir, Map<String, String> env, String user) {}
