package dev.kiln.workflows.build;

import java.util.List;
import java.util.Map;

/**
 * Payload: what placement needs to know about a build. {@code excludedHosts} were lost earlier in this build; with
 * {@code lostAtEpochMs} (when each was lost) such a host is a candidate again once it renewed its lease after that.
 * Requests from before that field carry only the hosts, which stay excluded.
 */
public record PlaceBuild(
        String buildId, String teamId, int vcpus, int memoryMb, List<String> excludedHosts,
        Map<String, Long> lostAtEpochMs) {}
