package dev.kiln.api.api;

public record ExecSandboxRequest(String command, Integer timeoutS) {}
