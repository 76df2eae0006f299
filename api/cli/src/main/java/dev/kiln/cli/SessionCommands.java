package dev.kiln.cli;

import dev.kiln.cli.wire.SessionView;
import dev.kiln.cli.wire.StartSessionRequest;
import dev.kiln.cli.wire.Statuses;
import dev.kiln.model.SessionStatus;
import java.io.PrintStream;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln session ...}: dev sessions. */
@Command(name = "session", description = "Dev sessions of projects.")
final class SessionCommands {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int BAR_WIDTH = 20;

    @ParentCommand
    private KilnCommand kiln;

    @Command(name = "start", description = {
        "Start a dev session of the project.", "From its golden where one exists; cold otherwise."})
    int start(@Parameters(paramLabel = "<project>", description = "the project id") String project,
            @Option(names = "--host", paramLabel = "HOST",
                    description = "the host to start it on (default: the online host with the newest golden)") String host,
            @Option(names = "--follow", description = "show the golden copy until the session runs; exit 1 if it does not")
                    boolean follow) {
        SessionView session = kiln.client().post("/v1/projects/" + KilnClient.segment(project) + "/sessions",
                new StartSessionRequest(host), SessionView.class);
        String id = session.id();
        PrintStream err = kiln.err();
        kiln.out().println(id);
        err.println("session " + id + " of " + project + " is starting on " + session.hostId());
        if (!follow) {
            return KilnCli.EXIT_OK;
        }
        StatusLine status = kiln.statusLine();
        int lastDecile = -1;
        while (true) {
            String state = session.status();
            SessionStatus known = Statuses.session(state).orElse(null);
            if (known == SessionStatus.RUNNING) {
                status.finish();
                err.println("session " + id + " is running on " + session.hostId()
                        + (session.generation() != null ? " from golden generation " + session.generation()
                                : " (cold: no golden)")
                        + (session.dockerHost() != null ? "\n  DOCKER_HOST=" + session.dockerHost() : ""));
                return KilnCli.EXIT_OK;
            }
            if (known == SessionStatus.STOPPED || known == SessionStatus.FAILED) {
                status.finish();
                err.println("session " + id + " " + state + (session.error() != null ? ": " + session.error() : ""));
                return KilnCli.EXIT_FAILED;
            }
            long copied = session.copiedBytes();
            long total = session.totalBytes();
            int percent = ProgressBar.percent(copied, total);
            String message = session.statusMessage() == null ? "" : session.statusMessage();
            String line = ProgressBar.render(copied, total, BAR_WIDTH) + " " + (total > 0 ? percent + "% " : "")
                    + (message.isEmpty() ? state : message);
            // Off a terminal, one line per tenth of the copy is enough to see it move.
            int decile = total > 0 ? percent / 10 : -1;
            status.update(line, decile != lastDecile || lastDecile == -1);
            lastDecile = Math.max(decile, 0);
            KilnClient.pause(POLL);
            session = kiln.client().get("/v1/sessions/" + KilnClient.segment(id), SessionView.class);
        }
    }
}
