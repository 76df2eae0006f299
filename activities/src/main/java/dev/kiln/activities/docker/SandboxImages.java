package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CommitCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerConfig;
import dev.kiln.workflows.sandbox.ImageInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Images made from sandboxes, by commit, as build templates and sandbox snapshots both are. */
final class SandboxImages {

    private final DockerClient docker;

    SandboxImages(DockerClient docker) {
        this.docker = requireNonNull(docker, "docker is null");
    }

    /** The defaults a committed image gets; null user or workdir keeps the container's, env entries are KEY=value. */
    record CommitDefaults(String user, String workdir, List<String> env, Map<String, String> labels, boolean pause) {}

    /**
     * Commits the container into {@code imageRef}; returns the image id. Docker's NotFoundException means the
     * container is gone, its BadRequestException that the engine refused the defaults.
     */
    String commit(String containerId, String imageRef, CommitDefaults defaults) {
        ImageName name = ImageName.parse(imageRef);
        CommitCmd commit = docker.commitCmd(containerId)
                .withRepository(name.repository())
                .withTag(name.tag())
                .withPause(defaults.pause())
                .withLabels(defaults.labels());
        if (defaults.user() != null) {
            commit.withUser(defaults.user());
        }
        if (defaults.workdir() != null) {
            commit.withWorkingDir(defaults.workdir());
        }
        if (defaults.env() != null && !defaults.env().isEmpty()) {
            // Docker merges these over the container's environment, so the base image's PATH and the like stay.
            commit.withEnv(defaults.env().toArray(String[]::new));
        }
        baseImageCommand(containerId).ifPresent(commit::withCmd);
        return commit.exec();
    }

    /**
     * The sandbox runs a keep-alive command instead of its image's, and docker commit would carry that command
     * into the image; the base image's command is restored instead. A base image without one leaves the
     * keep-alive command as the image's, which docker's commit API gives no way to clear.
     */
    private Optional<String[]> baseImageCommand(String containerId) {
        String baseImageId = docker.inspectContainerCmd(containerId).exec().getImageId();
        return inspect(baseImageId)
                .map(InspectImageResponse::getConfig)
                .map(ContainerConfig::getCmd)
                .filter(command -> command.length > 0);
    }

    /** The image {@code imageRef} if it exists and carries {@code label=value}: one an earlier attempt made. */
    Optional<InspectImageResponse> labelledWith(String imageRef, String label, String value) {
        return inspect(imageRef).filter(image -> value.equals(labels(image).get(label)));
    }

    Optional<InspectImageResponse> inspect(String imageRef) {
        try {
            return Optional.of(docker.inspectImageCmd(imageRef).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    void removeQuietly(String imageRef) {
        try {
            docker.removeImageCmd(imageRef).withForce(true).exec();
        } catch (NotFoundException e) {
            // Already gone, which is what was asked.
        }
    }

    static Map<String, String> labels(InspectImageResponse image) {
        if (image.getConfig() == null || image.getConfig().getLabels() == null) {
            return Map.of();
        }
        return image.getConfig().getLabels();
    }

    /** @param baseImageId the id of the image {@code image} was made from, or null */
    static ImageInfo imageInfo(String imageRef, InspectImageResponse image, String baseImageId) {
        int layers = image.getRootFS() == null || image.getRootFS().getLayers() == null
                ? 0
                : image.getRootFS().getLayers().size();
        return new ImageInfo(imageRef, image.getId(), image.getSize() == null ? 0 : image.getSize(), layers,
                baseImageId);
    }
}
