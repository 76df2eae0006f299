package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.wire.GoldenHostView;
import dev.kiln.cli.wire.GoldenView;
import dev.kiln.cli.wire.Statuses;
import dev.kiln.cli.wire.WriteRateView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln golden ...}: projects' golden Docker caches. */
@Command(name = "golden", description = "Golden Docker caches of projects.")
final class GoldenCommands {
    private static final int SPARKLINE_WIDTH = 24;

    @ParentCommand
    private KilnCommand kiln;

    @Command(name = "status", description = {
        "Each host's golden of the project.", "With the write rate of its latest build, as a sparkline."})
    int status(@Parameters(paramLabel = "<project>", description = "the project id") String project,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String projectPath = "/v1/projects/" + KilnClient.segment(project);
        if (json) {
            kiln.out().println(kiln.client().get(projectPath + "/golden", JsonNode.class).toPrettyString());
            return KilnCli.EXIT_OK;
        }
        GoldenView golden = kiln.client().get(projectPath + "/golden", GoldenView.class);
        kiln.out().println("project " + project + ": golden " + golden.status());
        if (golden.hosts().isEmpty()) {
            kiln.out().println("no host has built it yet: POST " + projectPath + "/golden/build");
            return KilnCli.EXIT_OK;
        }
        TextTable table = new TextTable("HOST", "STATUS", "GENERATION", "SIZE", "LAST READY", "BUILD", "WRITE RATE");
        for (Map.Entry<String, GoldenHostView> entry : golden.hosts().entrySet()) {
            GoldenHostView host = entry.getValue();
            String buildId = host.buildId() == null ? "" : host.buildId();
            String writes = buildId.isEmpty() ? "-" : writeRate(projectPath, buildId, host.status());
            table.row(entry.getKey(), host.status(), String.valueOf(host.generation() == null ? 0 : host.generation()),
                    Units.bytes(host.sizeBytes()), Timestamps.ago(host.lastReadyAt(), kiln.clock()),
                    buildId.isEmpty() ? "-" : buildId, writes);
            if (host.error() != null && !host.error().isEmpty()) {
                table.row("", "", "", "", "", "", "error: " + host.error());
            }
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    /** A sparkline of the build's write rate and its current value; what went wrong instead, if it cannot be read. */
    private String writeRate(String projectPath, String buildId, String hostStatus) {
        WriteRateView io;
        try {
            io = kiln.client().get(projectPath + "/golden/builds/" + KilnClient.segment(buildId) + "/io",
                    WriteRateView.class);
        } catch (ApiError e) {
            return "(" + e.code() + ")";
        }
        List<Long> times = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        for (WriteRateView.WriteSample sample : io.samples()) {
            Optional<Instant> t = Timestamps.parse(sample.t());
            if (t.isPresent()) {
                times.add(t.get().toEpochMilli());
                written.add(sample.writeBytes());
            }
        }
        String line = Sparkline.ofLast(Sparkline.rates(times, written), SPARKLINE_WIDTH);
        if (line.isEmpty()) {
            return "no samples";
        }
        boolean live = Statuses.goldenBuilding(hostStatus, io.status());
        return line + (live ? " " + Units.rate(io.writeRateMbps() * 1e6) : " (" + io.status() + ")");
    }
}
