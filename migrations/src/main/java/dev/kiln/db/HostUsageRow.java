package dev.kiln.db;

/**
 * What is committed on a host: its active sandboxes (paused ones at half memory) and its running builds, and how
 * many of each.
 */
public record HostUsageRow(String hostId, double vcpus, long memoryMb, int sandboxes, int builds) {}
