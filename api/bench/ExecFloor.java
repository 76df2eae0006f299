import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.kiln.activities.docker.DockerClients;
import org.slf4j.LoggerFactory;

/**
 * The engine's own floor for one build step: docker-java exec create, attached start and inspect of {@code true} in a
 * running container, as kiln-host's ContainerExec makes them, with no Temporal or PostgreSQL around it. Run with
 * kiln-host's jar on the class path: {@code java -cp worker-host/target/kiln-host.jar ExecFloor.java <container> <n>}.
 * Warms the JVM and the connection first with as many execs as it measures, then prints the measured total in ms.
 */
public final class ExecFloor {
    public static void main(String[] args) throws Exception {
        // kiln-host's jar brings logback with no configuration, which logs every request at DEBUG: that, not the
        // engine, would be measured.
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        String container = args[0];
        int count = Integer.parseInt(args[1]);
        try (DockerClient docker = DockerClients.create("unix:///var/run/docker.sock")) {
            for (int i = 0; i < count; i++) {
                exec(docker, container);
            }
            long started = System.nanoTime();
            for (int i = 0; i < count; i++) {
                exec(docker, container);
            }
            System.out.println((System.nanoTime() - started) / 1_000_000);
        }
    }

    private static void exec(DockerClient docker, String container) throws InterruptedException {
        String execId = docker.execCreateCmd(container).withCmd("/bin/sh", "-c", "true")
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        docker.execStartCmd(execId).withDetach(false).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion();
        Long exitCode = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        if (exitCode == null || exitCode != 0) {
            throw new IllegalStateException("exec " + execId + " exited " + exitCode);
        }
    }
}
