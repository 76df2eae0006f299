package dev.kiln.workflows.build;

/** Payload: what placement needs to know about a build. */
public record PlaceBuild(String buildId, String teamId, int vcpus, int memoryMb) {}
