package dev.kiln.db;

/** What is committed on a host: its active sandboxes (paused ones at half memory) and its running builds. */
public record HostUsageRow(String hostId, double vcpus, long memoryMb) {}
