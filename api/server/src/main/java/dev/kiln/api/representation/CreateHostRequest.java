package dev.kiln.api.representation;

import java.util.Map;

public record CreateHostRequest(String type, String teamId, Map<String, String> labels) {}
