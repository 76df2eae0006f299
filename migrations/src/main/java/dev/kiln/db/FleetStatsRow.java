package dev.kiln.db;

import java.time.Instant;

/** One tick of the fleet sampler for one team, or a bucket of ticks (each figure the bucket's peak). */
public record FleetStatsRow(
        Instant t, String teamId, int running, int paused, int vcpusReserved, long memoryReservedMb) {}
