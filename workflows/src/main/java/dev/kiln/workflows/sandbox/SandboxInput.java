package dev.kiln.workflows.sandbox;

import dev.kiln.model.SandboxStatus;
import java.util.Map;

/**
 * Payload: a placed sandbox, with the defaults of the template it was made from. {@code status} is null for a new
 * sandbox, and set when a run continues as new, so that the next run does not create the container again.
 */
public record SandboxInput(
        String sandboxId, String teamId, String hostId, String templateName, String imageRef, int vcpus, int memoryMb,
        String user, String workdir, Map<String, String> env, SandboxStatus status) {
    public SandboxInput withStatus(SandboxStatus current) {
        return new SandboxInput(sandboxId, teamId, hostId, templateName, imageRef, vcpus, memoryMb, user, workdir, env,
                current);
    }
}
