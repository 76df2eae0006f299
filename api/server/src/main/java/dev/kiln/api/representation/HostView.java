package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.HostRow;
import dev.kiln.model.HostStatus;
import java.time.Instant;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostView(
        String id,
        String type,
        String teamId,
        HostStatus status,
        boolean draining,
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
        // Draining is shown as the status while the host is up: that is what placement sees.
        HostStatus status = row.draining() && row.status() == HostStatus.ONLINE ? HostStatus.DRAINING : row.status();
        return new HostView(row.id(), row.type(), row.teamId(), status, row.draining(), row.arch(), row.cpuCores(),
                row.memoryMb(), row.diskGb(), row.address(), row.labels(), row.load(), row.lastHeartbeatAt(),
                row.createdAt());
    }
}
