package dev.kiln.workflows.sandbox;

import java.util.Map;

/** Payload: one command in a running sandbox, as {@code user} in {@code workdir} (null: /) with {@code env}. */
public record SandboxExec(
        String sandboxId, String command, int timeoutSeconds, String user, String workdir, Map<String, String> env) {}
