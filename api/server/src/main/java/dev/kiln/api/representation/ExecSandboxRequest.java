package dev.kiln.api.representation;

public record ExecSandboxRequest(String command, Integer timeoutS) {}
