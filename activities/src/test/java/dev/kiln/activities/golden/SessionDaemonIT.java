package dev.kiln.activities.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real dockerd in its own netns. */
class SessionDaemonIT {

    private GoldenTestRoot root;

    @BeforeEach
    void createRoot() throws Exception {
        root = new GoldenTestRoot();
    }

    @AfterEach
    void removeRoot() {
        root.close();
    }

    @Test
    void startAndStopLeaveNoProcessNamespaceOrMount() {
        GoldenLayout layout = new GoldenLayout(root.root);
        DaemonPaths paths = layout.daemon("session", "daemon-test");
        Path data = root.root.resolve("data");
        String hostBridge = Commands.run(Duration.ofSeconds(10), "ip", "-brief", "link", "show", "docker0");

        SessionDaemon daemon = SessionDaemon.start(paths, data);
        daemon.awaitReady(Duration.ofSeconds(60), () -> {});

        assertThat(Commands.exec(List.of("docker", "-H", paths.dockerHost(), "info", "--format",
                "{{.DockerRootDir}}"), Duration.ofSeconds(30)).output().strip()).isEqualTo(data.toString());
        assertThat(Files.exists(Path.of("/var/run/netns", paths.netns()))).isTrue();
        long pid = daemon.pid();

        daemon.stop(Duration.ofSeconds(30));

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(SessionDaemon.leftOver(paths, data)).isFalse();
        assertThat(data).isDirectory();
        // The host's own bridge is untouched by a daemon in another namespace.
        assertThat(Commands.run(Duration.ofSeconds(10), "ip", "-brief", "link", "show", "docker0"))
                .isEqualTo(hostBridge);
    }
}
