package dev.kiln.api.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Where live progress of a build's running step comes from. */
public interface StepHeartbeats {
    /** The latest heartbeat details of the build's running step; empty when there are none or they can't be read. */
    Optional<JsonNode> latest(String buildId);
}
