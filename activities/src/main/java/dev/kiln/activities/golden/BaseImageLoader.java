package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.activities.docker.BaseImages;
import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads the host engine's base images into a build's own daemon, so warm-up scripts can build and run on them
 * without a registry: {@code docker save} from the host, {@code docker load} into the daemon.
 */
final class BaseImageLoader {
    static final String MINIMAL_IMAGE = "kiln/minimal:latest";

    private final DockerClient hostDocker;
    private final List<String> baseImages;

    BaseImageLoader(DockerClient hostDocker, List<String> baseImages) {
        this.hostDocker = requireNonNull(hostDocker, "hostDocker is null");
        this.baseImages = List.copyOf(requireNonNull(baseImages, "baseImages is null"));
    }

    /** Skips an image the daemon already has with the host's id; makes the minimal image on the host if needed. */
    void load(DaemonPaths paths) throws IOException {
        for (String image : baseImages) {
            if (image.equals(MINIMAL_IMAGE)) {
                BaseImages.ensureMinimal(hostDocker, image);
            }
            String hostId;
            try {
                hostId = hostDocker.inspectImageCmd(image).exec().getId();
            } catch (NotFoundException e) {
                throw GoldenRefusal.imageNotFound("base image " + image + " is not on this host", e);
            }
            Commands.Result present = Commands.exec(List.of("docker", "-H", paths.dockerHost(), "image", "inspect",
                    "--format", "{{.Id}}", image), Duration.ofSeconds(30));
            if (present.ok() && present.output().strip().equals(hostId)) {
                continue;
            }
            Process load = new ProcessBuilder("docker", "-H", paths.dockerHost(), "load")
                    .redirectErrorStream(true)
                    .redirectOutput(paths.runDir().resolve("load.log").toFile())
                    .start();
            try (InputStream saved = hostDocker.saveImageCmd(image).exec(); OutputStream in = load.getOutputStream()) {
                saved.transferTo(in);
            }
            try {
                if (!load.waitFor(10, TimeUnit.MINUTES) || load.exitValue() != 0) {
                    load.destroyForcibly();
                    throw new IllegalStateException("docker load of " + image + " into " + paths.dockerHost()
                            + " failed: " + Commands.readString(paths.runDir().resolve("load.log")).orElse(""));
                }
            } catch (InterruptedException e) {
                load.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading " + image, e);
            }
        }
    }
}
