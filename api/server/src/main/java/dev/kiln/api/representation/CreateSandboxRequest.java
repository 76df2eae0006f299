package dev.kiln.api.representation;

public record CreateSandboxRequest(String template, Integer vcpus, Integer memoryMb) {}
