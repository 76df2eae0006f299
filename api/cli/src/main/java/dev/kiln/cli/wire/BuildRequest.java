package dev.kiln.cli.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of {@code POST /v1/admin/builds} ({@code BuildRequest}), or its {@code config} part. Null fields are left
 * out, so that the server's defaults apply to what the user did not say.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildRequest(
        String name,
        String baseTemplate,
        List<String> recipe,
        String healthcheck,
        Integer vcpus,
        Integer memoryMb,
        Boolean skipPrePost,
        Boolean noCache) {}
