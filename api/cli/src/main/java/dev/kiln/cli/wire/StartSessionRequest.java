package dev.kiln.cli.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of {@code POST /v1/projects/{id}/sessions} ({@code StartSessionRequest}); no host lets the API choose. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartSessionRequest(String hostId) {}
