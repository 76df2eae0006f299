package dev.kiln.cli.wire;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A host's load as its last heartbeat gave it ({@code HostLoad}): the figures the CLI knows by name, and in
 * {@code others} whatever else the host sent, in its order, since the schema leaves the set open.
 */
public record HostLoadView(
        Double cpuPct,
        Long memoryUsedMb,
        Long diskUsedGb,
        Long runningSandboxes,
        @JsonAnySetter Map<String, JsonNode> others) {
    public HostLoadView {
        others = others == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(others));
    }

    public boolean empty() {
        return cpuPct == null && memoryUsedMb == null && diskUsedGb == null && runningSandboxes == null
                && others.isEmpty();
    }
}
