package dev.kiln.api.api;

public record CreateSandboxRequest(String template, Integer vcpus, Integer memoryMb) {}
