package dev.kiln.api.representation;

import java.util.List;

public record BuildRequest(
        String name,
        String baseTemplate,
        List<String> recipe,
        String healthcheck,
        Integer vcpus,
        Integer memoryMb,
        Boolean skipPrePost,
        Boolean noCache) {}
