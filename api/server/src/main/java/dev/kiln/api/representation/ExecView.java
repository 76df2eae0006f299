package dev.kiln.api.representation;

import dev.kiln.workflows.sandbox.SandboxExecResult;

public record ExecView(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated) {
    public static ExecView of(SandboxExecResult result) {
        return new ExecView(result.exitCode(), result.stdout(), result.stderr(), result.timedOut(), result.truncated());
    }
}
