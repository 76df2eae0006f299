package dev.kiln.api.api;

public record RegisterHostRequest(
        String token, String address, String arch, Integer cpuCores, Long memoryMb, Long diskGb) {}
