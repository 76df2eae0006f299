package dev.kiln.api.api;

import java.util.Map;

public record CreateHostRequest(String type, String teamId, Map<String, String> labels) {}
