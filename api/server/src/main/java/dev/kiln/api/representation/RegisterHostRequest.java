package dev.kiln.api.representation;

public record RegisterHostRequest(
        String token, String address, String arch, Integer cpuCores, Long memoryMb, Long diskGb) {}
