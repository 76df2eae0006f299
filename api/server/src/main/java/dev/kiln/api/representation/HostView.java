package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.HostRow;
import dev.kiln.db.HostUsageRow;
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
        Instant createdAt,
        Committed committed) {

    /** What placement counts as taken on the host: active sandboxes (paused at half memory) and running builds. */
    public record Committed(double vcpus, long memoryMb, int sandboxes, int builds) {
        public static final Committed NONE = new Committed(0, 0, 0, 0);

        public static Committed of(HostUsageRow row) {
            return new Committed(row.vcpus(), row.memoryMb(), row.sandboxes(), row.builds());
        }
    }

    /** Without what is committed there: for answers about one host's state change. */
    public static HostView of(HostRow row) {
        return of(row, null);
    }

    public static HostView of(HostRow row, Committed committed) {
        // Draining is shown as the status while the host is up: that is what placement sees.
        HostStatus status = row.draining() && row.status() == HostStatus.ONLINE ? HostStatus.DRAINING : row.status();
        return new HostView(row.id(), row.type(), row.teamId(), status, row.draining(), row.arch(), row.cpuCores(),
                row.memoryMb(), row.diskGb(), row.address(), row.labels(), row.load(), row.lastHeartbeatAt(),
                row.createdAt(), committed);
    }
}
