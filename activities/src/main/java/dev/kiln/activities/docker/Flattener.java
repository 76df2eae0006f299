package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.LoadResponseItem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * Turns a build sandbox into a single-layer image. The container's filesystem export becomes the one layer of a
 * {@code docker save} archive whose image config is written here, and the engine loads that archive: the same
 * route {@link BaseImages} takes, since docker-java 3.7.1 cannot send a stream to the import endpoint (docker-java
 * issue 2377), and a save archive carries a whole config (user, workdir, env, command, labels) where import takes
 * only Dockerfile-style changes.
 *
 * <p>The export is streamed to a temp file, hashing it on the way for the layer's diff id, because the archive's
 * tar header must state the layer's size before its bytes; the archive itself is never written out, but streamed
 * to the engine as header, layer file, and trailer. Disk use peaks at one copy of the sandbox's filesystem
 * besides the engine's own.
 */
final class Flattener {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
    private static final String DEFAULT_COMMAND = "/bin/sh";
    private static final String LAYER_FILE = "layer.tar";
    private static final String CONFIG_FILE = "config.json";
    private static final String MANIFEST_FILE = "manifest.json";
    private static final int TAR_RECORD_BYTES = 512;
    private static final int COPY_BUFFER_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerClient docker;
    private final ContainerExec exec;

    Flattener(DockerClient docker, ContainerExec exec) {
        this.docker = requireNonNull(docker, "docker is null");
        this.exec = requireNonNull(exec, "exec is null");
    }

    /**
     * Loads the sandbox's filesystem as the image {@code imageRef} with the given labels; user, workdir and env
     * come from the request, null keeping the base image's. Docker's NotFoundException means the sandbox is gone.
     *
     * @param name names the sync exec, as {@link ExecRequest#name()} says
     * @param origin what the image history says it was flattened from ("build 42")
     */
    void flatten(
            String name, String origin, String containerId, String imageRef, ImageDefaults defaults,
            TransferMeter meter) throws IOException {
        sync(name, containerId);
        InspectContainerResponse container = docker.inspectContainerCmd(containerId).exec();
        InspectImageResponse base = docker.inspectImageCmd(container.getImageId()).exec();
        Path layer = Files.createTempFile("kiln-flatten-", ".tar");
        try {
            String diffId = export(containerId, layer, meter);
            byte[] config = imageConfig(origin, container, base, defaults, diffId);
            load(imageRef, layer, config, meter);
        } finally {
            Files.deleteIfExists(layer);
        }
    }

    /** What the image's config says beyond its layer; null user or workdir keeps the base image's. */
    record ImageDefaults(String user, String workdir, List<String> env, Map<String, String> labels) {}

    /**
     * Processes still running in the sandbox may hold writes the export would miss; the reference lost files
     * without this. A sync that fails or hangs only costs that guarantee, so it does not fail the flatten.
     */
    private void sync(String name, String containerId) {
        try {
            exec.run(ExecRequest.asRoot(containerId, name + "/sync", "sync", SYNC_TIMEOUT), progress -> {});
        } catch (NotFoundException e) {
            throw e;
        } catch (RuntimeException e) {
            // A stopped sandbox (or one an earlier attempt left paused) refuses execs; nothing runs there to flush.
        }
    }

    /**
     * Paused like docker commit pauses, so that what a started process writes during the export cannot tear a
     * file. An earlier attempt that died mid-export may have left the sandbox paused; that pause serves as well.
     */
    private String export(String containerId, Path layer, TransferMeter meter) throws IOException {
        boolean paused = pause(containerId);
        MessageDigest digest = sha256();
        try (InputStream export = docker.exportContainerCmd(containerId).exec();
                OutputStream out = new DigestOutputStream(Files.newOutputStream(layer), digest)) {
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            int read;
            while ((read = export.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                meter.add(read);
            }
        } finally {
            if (paused) {
                unpause(containerId);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

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
     * The config docker commit would write for the sandbox: its environment with the defaults merged over it,
     * the base image's command instead of the sandbox's keep-alive, and the container's labels (which include the
     * base image's) under the given ones. Ports, volumes and the like are left out: build bases do not set them.
     */
    private byte[] imageConfig(
            String origin, InspectContainerResponse container, InspectImageResponse base, ImageDefaults defaults,
            String diffId) throws JsonProcessingException {
        ContainerConfig baseConfig = base.getConfig() == null ? new ContainerConfig() : base.getConfig();
        ContainerConfig sandboxConfig = container.getConfig();
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("User", defaults.user() != null ? defaults.user() : nullToEmpty(baseConfig.getUser()));
        runtime.put("WorkingDir",
                defaults.workdir() != null ? defaults.workdir() : nullToEmpty(baseConfig.getWorkingDir()));
        runtime.put("Env", mergeEnv(sandboxConfig.getEnv(), defaults.env()));
        String[] command = baseConfig.getCmd();
        runtime.put("Cmd", command == null || command.length == 0 ? List.of(DEFAULT_COMMAND) : List.of(command));
        if (baseConfig.getEntrypoint() != null && baseConfig.getEntrypoint().length > 0) {
            runtime.put("Entrypoint", List.of(baseConfig.getEntrypoint()));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (sandboxConfig.getLabels() != null) {
            labels.putAll(sandboxConfig.getLabels());
        }
        labels.putAll(defaults.labels());
        runtime.put("Labels", labels);

        String created = Instant.now().toString();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", base.getArch() != null ? base.getArch() : docker.versionCmd().exec().getArch());
        config.put("os", base.getOs() != null ? base.getOs() : "linux");
        config.put("created", created);
        config.put("config", runtime);
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + diffId)));
        config.put("history", List.of(Map.of("created", created, "created_by", "kiln flatten of " + origin)));
        return JSON.writeValueAsBytes(config);
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
     * The load endpoint answers 200 and reports failures in its response stream, which only the async command
     * reads. The engine keeps working on a large layer well after the last byte arrived, so the wait heartbeats.
     */
    private void load(String imageRef, Path layer, byte[] config, TransferMeter meter) throws IOException {
        long layerBytes = Files.size(layer);
        byte[] manifest = JSON.writeValueAsBytes(List.of(Map.of(
                "Config", CONFIG_FILE, "RepoTags", List.of(normalized(imageRef)), "Layers", List.of(LAYER_FILE))));
        LoadOutput output = new LoadOutput();
        try (InputStream archive = new SequenceInputStream(Collections.enumeration(List.of(
                        new ByteArrayInputStream(header(LAYER_FILE, layerBytes)),
                        meter.counting(Files.newInputStream(layer)),
                        new ByteArrayInputStream(trailer(layerBytes, config, manifest)))));
                output) {
            docker.loadImageAsyncCmd(archive).exec(output);
            while (!output.awaitEnd(1, TimeUnit.SECONDS)) {
                meter.add(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading " + imageRef, e);
        }
        meter.rethrowHeartbeatFailure();
        if (output.failure() != null) {
            throw new IllegalStateException("docker load of " + imageRef + " failed", output.failure());
        }
        if (!output.errors().isEmpty()) {
            throw new IllegalStateException(
                    "docker load of " + imageRef + " failed: " + String.join("; ", output.errors()));
        }
    }

    /** Collects the load's error messages, which the engine reports inside a 200 response. */
    private static final class LoadOutput extends AwaitableCallback<LoadResponseItem> {
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onNext(LoadResponseItem item) {
            if (item.isErrorIndicated()) {
                errors.add(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError());
            }
        }

        List<String> errors() {
            return errors;
        }
    }

    /** The layer's tar header on its own; star mode encodes sizes past 8 GiB in binary, which docker reads. */
    private static byte[] header(String name, long size) throws IOException {
        TarArchiveEntry entry = fileEntry(name, size);
        byte[] record = new byte[TAR_RECORD_BYTES];
        entry.writeEntryHeader(record, ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8), true);
        return record;
    }

    /** Pads the layer to a whole record, then the config and manifest entries and the end-of-archive records. */
    private static byte[] trailer(long layerBytes, byte[] config, byte[] manifest) throws IOException {
        ByteArrayOutputStream trailer = new ByteArrayOutputStream();
        trailer.write(new byte[(int) ((TAR_RECORD_BYTES - layerBytes % TAR_RECORD_BYTES) % TAR_RECORD_BYTES)]);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(trailer)) {
            for (Map.Entry<String, byte[]> file : Map.of(CONFIG_FILE, config, MANIFEST_FILE, manifest).entrySet()) {
                tar.putArchiveEntry(fileEntry(file.getKey(), file.getValue().length));
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return trailer.toByteArray();
    }

    private static TarArchiveEntry fileEntry(String name, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
        entry.setSize(size);
        entry.setModTime(new Date());
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        return entry;
    }

    /** A bare name means the latest tag to docker, and the manifest's RepoTags must say so. */
    private static String normalized(String imageRef) {
        ImageName name = ImageName.parse(imageRef);
        return name.repository() + ":" + name.tag();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
