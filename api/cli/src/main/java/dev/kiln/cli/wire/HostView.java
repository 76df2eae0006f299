package dev.kiln.cli.wire;

/** A host of the fleet ({@code Host}), as {@code GET /v1/hosts} lists it. */
public record HostView(
        String id,
        String status,
        boolean draining,
        Long memoryMb,
        Long diskGb,
        HostLoadView load,
        String lastHeartbeatAt) {}
