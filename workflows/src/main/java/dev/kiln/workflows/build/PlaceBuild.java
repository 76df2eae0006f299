package dev.kiln.workflows.build;

import java.util.List;

/** Payload: what placement needs to know about a build; {@code excludedHosts} were lost earlier in this build. */
public record PlaceBuild(String buildId, String teamId, int vcpus, int memoryMb, List<String> excludedHosts) {}
