package dev.kiln.api.representation;

import java.util.List;

/** What {@code DELETE /v1/hosts/{id}} would cut off. */
public record HostDeletePreview(HostView host, List<String> sandboxIds) {}
