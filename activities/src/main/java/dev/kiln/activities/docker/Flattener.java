package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.ContainerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a build sandbox into a single-layer image: the container's filesystem export streams straight into the
 * engine's import ({@code POST /images/create?fromSrc=-}), as {@code docker export | docker import} does, with no
 * archive written in between; the import goes through {@link LayerImport}. Import takes the image's config as
 * Dockerfile-style changes; every field a build sets (user, workdir, env, command, entrypoint, labels) is one of them.
 */
final class Flattener {

    private static final String DEFAULT_COMMAND = "/bin/sh";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerClient docker;
    /** Made at the first flatten, so that a host whose engine talks TLS starts, and fails only if it flattens. */
    private LayerImport layerImport;

    Flattener(DockerClient docker) {
        this.docker = requireNonNull(docker, "docker is null");
    }

    /**
     * Loads the sandbox's filesystem as the image {@code imageRef} with the given labels; user, workdir and env
     * come from the request, null keeping the base image's. Docker's NotFoundException means the sandbox is gone.
     *
     * <p>No {@code sync} runs first. The reference needed one because its VM guest kept writes in a page cache of its
     * own, which a dump of the block device missed; a container shares the host's kernel, and the export reads files
     * through that same page cache, so every write a process made is in it, flushed or not. The sync Kiln ran
     * anyway flushed every filesystem of the machine, which can outlast its 10 s limit when much is unwritten, and a
     * sync past that limit was still running when the pause below froze the container: an exec racing a pause is
     * what deadlocks dockerd in moby issue 27272.
     *
     * @param origin what the image history says it was flattened from ("build 42")
     */
    void flatten(String origin, String containerId, String imageRef, ImageDefaults defaults, TransferMeter meter)
            throws IOException {
        InspectContainerResponse container = docker.inspectContainerCmd(containerId).exec();
        InspectImageResponse base = docker.inspectImageCmd(container.getImageId()).exec();
        List<String> changes = changes(container, base, defaults);
        boolean paused = pause(containerId);
        try (InputStream export = meter.counting(docker.exportContainerCmd(containerId).exec())) {
            importLayer(imageRef, "kiln flatten of " + origin, changes, export);
        } catch (RuntimeException e) {
            meter.rethrowHeartbeatFailure();
            throw e;
        } finally {
            if (paused) {
                unpause(containerId);
            }
        }
        meter.rethrowHeartbeatFailure();
    }

    /** What the image's config says beyond its layer; null user or workdir keeps the base image's. */
    record ImageDefaults(String user, String workdir, List<String> env, Map<String, String> labels) {}

    /**
     * Paused like docker commit pauses, so that what a started process writes during the export cannot tear a
     * file. An earlier attempt that died mid-export may have left the sandbox paused; that pause serves as well.
     */
    private boolean pause(String containerId) {
        try {
            docker.pauseContainerCmd(containerId).exec();
            return true;
        } catch (ConflictException e) {
            // Already paused, or stopped: either way nothing runs during the export.
            return false;
        }
    }

    private void unpause(String containerId) {
        try {
            docker.unpauseContainerCmd(containerId).exec();
        } catch (NotFoundException | ConflictException | NotModifiedException e) {
            // Removed or unpaused meanwhile; the sandbox is destroyed after the build either way.
        }
    }

    /**
     * The config docker commit would write for the sandbox, as import changes: its environment with the defaults
     * merged over it, the base image's command instead of the sandbox's keep-alive, and the container's labels (which
     * include the base image's) under the given ones. Ports, volumes and the like are left out: build bases do not
     * set them.
     */
    private static List<String> changes(
            InspectContainerResponse container, InspectImageResponse base, ImageDefaults defaults)
            throws JsonProcessingException {
        ContainerConfig baseConfig = base.getConfig() == null ? new ContainerConfig() : base.getConfig();
        ContainerConfig sandboxConfig = container.getConfig();
        List<String> changes = new ArrayList<>();
        String user = defaults.user() != null ? defaults.user() : nullToEmpty(baseConfig.getUser());
        if (!user.isEmpty()) {
            changes.add("USER " + user);
        }
        String workdir = defaults.workdir() != null ? defaults.workdir() : nullToEmpty(baseConfig.getWorkingDir());
        if (!workdir.isEmpty()) {
            changes.add("WORKDIR " + workdir);
        }
        for (String entry : mergeEnv(sandboxConfig.getEnv(), defaults.env())) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                changes.add("ENV " + entry.substring(0, equals) + "=" + quoted(entry.substring(equals + 1)));
            }
        }
        String[] command = baseConfig.getCmd();
        changes.add("CMD " + JSON.writeValueAsString(
                command == null || command.length == 0 ? List.of(DEFAULT_COMMAND) : List.of(command)));
        if (baseConfig.getEntrypoint() != null && baseConfig.getEntrypoint().length > 0) {
            changes.add("ENTRYPOINT " + JSON.writeValueAsString(List.of(baseConfig.getEntrypoint())));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (sandboxConfig.getLabels() != null) {
            labels.putAll(sandboxConfig.getLabels());
        }
        labels.putAll(defaults.labels());
        labels.forEach((key, value) -> changes.add("LABEL " + quoted(key) + "=" + quoted(value)));
        return changes;
    }

    /**
     * A Dockerfile word in double quotes: the engine's parser unquotes it and expands {@code $} references, so
     * backslashes, quotes and dollars are escaped to arrive as written.
     */
    static String quoted(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char character : value.toCharArray()) {
            if (character == '\\' || character == '"' || character == '$') {
                quoted.append('\\');
            }
            quoted.append(character);
        }
        return quoted.append('"').toString();
    }

    /** Keys in the order the sandbox had them, each overridden in place; new ones at the end. */
    private static List<String> mergeEnv(String[] sandboxEnv, List<String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String entry : sandboxEnv == null ? List.<String>of() : List.of(sandboxEnv)) {
            putEnv(merged, entry);
        }
        for (String entry : overrides == null ? List.<String>of() : overrides) {
            putEnv(merged, entry);
        }
        List<String> env = new ArrayList<>(merged.size());
        merged.forEach((key, value) -> env.add(value == null ? key : key + "=" + value));
        return env;
    }

    private static void putEnv(Map<String, String> env, String entry) {
        int equals = entry.indexOf('=');
        if (equals < 0) {
            env.put(entry, null);
        } else {
            env.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
    }

    /**
     * The import endpoint answers 200 once it has the whole layer, and reports a failure inside its response stream
     * as a JSON message with an {@code error}; success ends with the new image's id as the last status.
     */
    private void importLayer(String imageRef, String message, List<String> changes, InputStream layer)
            throws IOException {
        ImageName name = ImageName.parse(imageRef);
        StringBuilder path = new StringBuilder("/images/create?fromSrc=-")
                .append("&repo=").append(encode(name.repository()))
                .append("&tag=").append(encode(name.tag()))
                .append("&message=").append(encode(message));
        for (String change : changes) {
            path.append("&changes=").append(encode(change));
        }
        LayerImport.Answer answer = layerImport().post(path.toString(), layer);
        String body = answer.body();
        if (answer.status() != 200) {
            throw new IllegalStateException(
                    "docker import of " + imageRef + " failed (" + answer.status() + "): " + body.strip());
        }
        List<String> errors = new ArrayList<>();
        try (MappingIterator<JsonNode> messages = JSON.readerFor(JsonNode.class).readValues(body)) {
            while (messages.hasNext()) {
                JsonNode item = messages.next();
                if (item.hasNonNull("error")) {
                    errors.add(item.get("error").asText());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("docker import of " + imageRef + " failed: " + String.join("; ", errors));
        }
    }

    private synchronized LayerImport layerImport() {
        if (layerImport == null) {
            layerImport = LayerImport.to(DockerClients.engineOf(docker));
        }
        return layerImport;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
