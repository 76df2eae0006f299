package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.Image;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.sandbox.StepCacheGcResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * This host's per-step layer cache: an image committed from a build sandbox after each step that succeeded, tagged
 * with the step's key in a repository of this host's own (several hosts may drive one engine, and each keeps and
 * collects its own cache). Every cache image is labelled {@code kiln.role=step-cache} and {@code kiln.host}, so that one
 * a crash left untagged is still found and collected.
 */
public final class StepCache {

    static final String ROLE = "step-cache";

    private static final int REMOVE_ALL_PASSES = 3;

    private final DockerClient docker;
    private final HostLabels labels;
    private final StepCacheBounds bounds;
    private final Clock clock;

    StepCache(DockerClient docker, HostLabels labels, StepCacheBounds bounds, Clock clock) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.bounds = requireNonNull(bounds, "bounds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Repository names are lower case, and host ids are not bound to be. */
    String repository() {
        return repository(labels);
    }

    private static String repository(HostLabels labels) {
        return "kiln-step-cache-" + labels.hostId().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    }

    private static Map<String, String> owned(HostLabels labels) {
        return Map.of(ContainerLabels.ROLE, ROLE, ContainerLabels.HOST, labels.hostId());
    }

    /**
     * Removes every cache image of the host, for a host that is deleted: no other host reads its cache, and its
     * collection stops with it. A cache image that a template was committed on stays as that template's layer,
     * untagged. Newest first, so that a child goes before the parent it was committed on; images of one second
     * can still come in the wrong order, and the engine prunes a parent that lost its last child, so a few passes
     * finish what the first could not.
     *
     * @return how many cache images are left (in use by a container, or a template's layer)
     */
    public static int removeAll(DockerClient docker, HostLabels labels) {
        int before = Integer.MAX_VALUE;
        for (int pass = 0; pass < REMOVE_ALL_PASSES; pass++) {
            List<Image> cached = new ArrayList<>(allOwned(docker, labels));
            if (cached.isEmpty() || cached.size() >= before) {
                return cached.size();
            }
            before = cached.size();
            cached.sort(Comparator.comparingLong(Image::getCreated).reversed());
            for (Image image : cached) {
                remove(docker, repository(labels), image);
            }
        }
        return allOwned(docker, labels).size();
    }

    /** With the untagged parents a listing leaves out by default: a crash can leave one, labelled, between commit and tag. */
    private static List<Image> allOwned(DockerClient docker, HostLabels labels) {
        return docker.listImagesCmd().withShowAll(true).withLabelFilter(owned(labels)).exec();
    }

    String imageRef(String key) {
        return repository() + ":" + key;
    }

    /** The id of the image cached under {@code key}, if this host holds one. */
    Optional<String> find(String key) {
        try {
            return Optional.of(docker.inspectImageCmd(imageRef(key)).exec().getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Commits the sandbox after a step that succeeded, unless the key is cached already (a concurrent build of the
     * same steps). The image is committed untagged and tagged after, so that it never takes the tag from an image
     * already under it and leaves that one orphaned; an untagged one a crash leaves between the two is collected.
     * The sandbox's own command and labels carry into the image; the command is its image's (the base image's),
     * not the keep-alive, as {@link SandboxImages} restores it.
     */
    void commit(String containerId, String key) {
        if (find(key).isPresent()) {
            return;
        }
        // The image belongs to the host's cache, not to the build that made it: it must outlive that build, whose
        // cleanup and checks look for what carries its id. The sandbox's own kiln.build would carry over; this
        // blanks it.
        Map<String, String> owner = new HashMap<>(owned(labels));
        owner.put(ContainerLabels.BUILD, "");
        InspectContainerResponse container = docker.inspectContainerCmd(containerId).exec();
        var commit = docker.commitCmd(containerId).withLabels(owner);
        imageCommand(container.getImageId()).ifPresent(commit::withCmd);
        String imageId = commit.exec();
        if (find(key).isPresent()) {
            removeQuietly(imageId);
            return;
        }
        docker.tagImageCmd(imageId, repository(), key).exec();
    }

    private Optional<String[]> imageCommand(String imageId) {
        try {
            ContainerConfig config = docker.inspectImageCmd(imageId).exec().getConfig();
            return Optional.ofNullable(config).map(ContainerConfig::getCmd).filter(command -> command.length > 0);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes cache images older than the age bound, then the oldest until the rest fit the size bound, then any an
     * interrupted commit left untagged. An image counts for its own layer (its size less its parent's), which is
     * what removing it frees once no newer cache image is built on it. An image a container still uses (a running
     * build started from it) is kept: the engine refuses to remove it without force, and the next run tries again.
     */
    StepCacheGcResult collect() {
        Map<String, Long> sizes = new HashMap<>();
        for (Image image : docker.listImagesCmd().withShowAll(true).exec()) {
            sizes.put(image.getId(), image.getSize() == null ? 0 : image.getSize());
        }
        List<Image> cached = new ArrayList<>(docker.listImagesCmd().withLabelFilter(owned(labels)).exec());
        cached.sort(Comparator.comparingLong(Image::getCreated));
        long total = 0;
        for (Image image : cached) {
            total += ownSize(image, sizes);
        }
        Instant oldest = clock.instant().minus(bounds.maxAge());
        int removed = 0;
        long bytesRemoved = 0;
        int kept = 0;
        for (Image image : cached) {
            long own = ownSize(image, sizes);
            boolean untagged = image.getRepoTags() == null || image.getRepoTags().length == 0
                    || "<none>:<none>".equals(image.getRepoTags()[0]);
            boolean expired = Instant.ofEpochSecond(image.getCreated()).isBefore(oldest);
            if ((untagged || expired || total > bounds.maxBytes()) && remove(docker, repository(), image)) {
                removed++;
                bytesRemoved += own;
                total -= own;
            } else {
                kept++;
            }
        }
        return new StepCacheGcResult(removed, bytesRemoved, kept, total);
    }

    private static long ownSize(Image image, Map<String, Long> sizes) {
        long size = image.getSize() == null ? 0 : image.getSize();
        Long parent = image.getParentId() == null || image.getParentId().isEmpty() ? null : sizes.get(image.getParentId());
        return parent == null ? size : Math.max(0, size - parent);
    }

    /** By tag, so that an image whose tag is this cache's and that a container uses is left alone. */
    private static boolean remove(DockerClient docker, String repository, Image image) {
        List<String> refs = new ArrayList<>();
        if (image.getRepoTags() != null) {
            for (String tag : image.getRepoTags()) {
                if (tag.startsWith(repository + ":")) {
                    refs.add(tag);
                }
            }
        }
        if (refs.isEmpty()) {
            refs.add(image.getId());
        }
        try {
            for (String ref : refs) {
                docker.removeImageCmd(ref).exec();
            }
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (ConflictException e) {
            return false;
        }
    }

    private void removeQuietly(String imageId) {
        try {
            docker.removeImageCmd(imageId).exec();
        } catch (NotFoundException | ConflictException e) {
            // Gone already, or in use: either way the collection removes it once it is untagged and unused.
        }
    }
}
