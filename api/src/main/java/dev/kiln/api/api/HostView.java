package dev.kiln.api.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.HostRow;
import java.time.Instant;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostView(
        String id,
        String type,
        String teamId,
        String status,
        String arch,
        Integer cpuCores,
        Long memoryMb,
        Long diskGb,
        String address,
        Map<String, String> labels,
        Map<String, Object> load,
        Instant lastHeartbeatAt,
        Instant createdAt) {

    public static HostView of(HostRow row) {
        return new HostView(row.id(), row.type(), row.teamId(), row.status(), row.arch(), row.cpuCores(),
                row.memoryMb(), row.diskGb(), row.address(), row.labels(), row.load(), row.lastHeartbeatAt(),
                row.createdAt());
    }
}
