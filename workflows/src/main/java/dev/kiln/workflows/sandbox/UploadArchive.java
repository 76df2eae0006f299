package dev.kiln.workflows.sandbox;

/** Payload: fetch the build's uploaded archive from kiln-api and unpack it into the sandbox's build-files dir. */
public record UploadArchive(String buildId, String containerId) {}
