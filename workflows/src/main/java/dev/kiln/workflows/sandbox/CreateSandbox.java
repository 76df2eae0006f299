package dev.kiln.workflows.sandbox;

import java.util.Map;

/**
 * Payload: start a sandbox container from a template image, with its CPU and memory limits. The template's
 * defaults ride along so that the host can label the container with them and exec can apply them.
 */
public record CreateSandbox(
        String sandboxId, String imageRef, int vcpus, int memoryMb, String user, String workdir,
        Map<String, String> env) {}
