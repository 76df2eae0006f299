package dev.kiln.activities.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real engine the tests run against, and bookkeeping so that every container and image a test makes is
 * removed again. Nothing is ever pulled: images come from {@link BaseImages} or from commits.
 */
final class DockerTestSupport {

    static final String DOCKER_HOST = "unix:///var/run/docker.sock";
    /**
     * Made by the tests and removed after them, so tagged for this run: two test runs on one engine (two checkouts,
     * CI beside a developer) must not remove each other's base image mid-test.
     */
    static final String MINIMAL_IMAGE = "kiln-test/minimal:run-" + UUID.randomUUID().toString().substring(0, 8);
    /**
     * The host these tests act as. Unique to the run: other test runs and a demo stack may share the engine, and a
     * host only ever sees the containers labelled with its own id.
     */
    static final HostLabels HOST = new HostLabels("host-it-" + UUID.randomUUID());

    /** The engine may still be starting when the tests do; give it the time a fresh install takes. */
    private static final Duration ENGINE_WAIT = Duration.ofMinutes(10);

    private static DockerClient docker;

    private final List<String> containers = new ArrayList<>();
    private final List<String> images = new ArrayList<>();

    static synchronized DockerClient docker() throws InterruptedException {
        if (docker == null) {
            docker = awaitEngine(DockerClients.create(DOCKER_HOST));
        }
        return docker;
    }

    private static DockerClient awaitEngine(DockerClient client) throws InterruptedException {
        Instant deadline = Instant.now().plus(ENGINE_WAIT);
        while (true) {
            try {
                client.pingCmd().exec();
                return client;
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("no Docker engine at " + DOCKER_HOST + " after " + ENGINE_WAIT, e);
                }
                Thread.sleep(5_000);
            }
        }
    }

    String container(String containerId) {
        containers.add(containerId);
        return containerId;
    }

    String image(String imageRef) {
        images.add(imageRef);
        return imageRef;
    }

    /** Containers first: an image in use by one cannot be removed without untagging only. */
    void removeAll() throws InterruptedException {
        DockerClient client = docker();
        for (String containerId : containers) {
            try {
                client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException e) {
                // The test removed it itself.
            }
        }
        containers.clear();
        for (String imageRef : images) {
            try {
                client.removeImageCmd(imageRef).withForce(true).exec();
            } catch (NotFoundException e) {
                // The test removed it itself.
            }
        }
        images.clear();
    }

    /** Runs {@code command} in a fresh container of {@code image} and returns what it printed on both streams. */
    String run(String image, String... command) throws InterruptedException {
        DockerClient client = docker();
        String containerId = container(client.createContainerCmd(image).withCmd(command).exec().getId());
        client.startContainerCmd(containerId).exec();
        client.waitContainerCmd(containerId).start().awaitStatusCode(60, TimeUnit.SECONDS);
        StringBuilder output = new StringBuilder();
        client.logContainerCmd(containerId)
                .withStdOut(true)
                .withStdErr(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        synchronized (output) {
                            output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }
                })
                .awaitCompletion(60, TimeUnit.SECONDS);
        synchronized (output) {
            return output.toString();
        }
    }
}
