package dev.kiln.cli.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A project's golden Docker cache ({@code Golden}): its overall status and, by host id, each host's golden. */
public record GoldenView(String status, Map<String, GoldenHostView> hosts) {
    public GoldenView {
        // In the API's order, which is the order the table shows them in.
        hosts = hosts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
    }
}
