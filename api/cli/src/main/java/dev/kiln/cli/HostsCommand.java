package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.wire.HostLoadView;
import dev.kiln.cli.wire.HostView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln hosts}: the fleet. */
@Command(name = "hosts", description = "The fleet: each host's status, draining, heartbeat and load.")
final class HostsCommand implements Callable<Integer> {
    private static final String HOSTS = "/v1/hosts";

    @ParentCommand
    private KilnCommand kiln;

    @Option(names = "--json", description = "print the API's JSON as it came")
    private boolean json;

    @Override
    public Integer call() {
        if (json) {
            kiln.out().println(kiln.client().get(HOSTS, JsonNode.class).toPrettyString());
            return KilnCli.EXIT_OK;
        }
        TextTable table = new TextTable("ID", "STATUS", "DRAINING", "LAST HEARTBEAT", "LOAD");
        for (HostView host : kiln.client().list(HOSTS, HostView.class)) {
            table.row(host.id(), host.status(), host.draining() ? "yes" : "no",
                    Timestamps.ago(host.lastHeartbeatAt(), kiln.clock()), describeLoad(host));
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    /** {@code cpu 3.2%, mem 1204/7937 MB, disk 40/100 GB, 2 sandboxes}, with any other figure as name=value. */
    static String describeLoad(HostView host) {
        HostLoadView load = host.load();
        if (load == null || load.empty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        if (load.cpuPct() != null) {
            parts.add(String.format(Locale.ROOT, "cpu %.1f%%", load.cpuPct()));
        }
        if (load.memoryUsedMb() != null) {
            parts.add("mem " + load.memoryUsedMb() + (host.memoryMb() != null ? "/" + host.memoryMb() : "") + " MB");
        }
        if (load.diskUsedGb() != null) {
            parts.add("disk " + load.diskUsedGb() + (host.diskGb() != null ? "/" + host.diskGb() : "") + " GB");
        }
        if (load.runningSandboxes() != null) {
            long sandboxes = load.runningSandboxes();
            parts.add(sandboxes + (sandboxes == 1 ? " sandbox" : " sandboxes"));
        }
        load.others().forEach((name, value) -> parts.add(name + "=" + (value.isValueNode() ? value.asText() : value)));
        return String.join(", ", parts);
    }
}
