package dev.kiln.workflows.sandbox;

/** Payload: the build sandbox to create. Add fields at the end only; histories replay this record. */
public record CreateBuildSandbox(String buildId, String imageRef, int vcpus, int memoryMb) {}
