package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Base images a host can make without a registry. The minimal one is a root filesystem around the host's static
 * busybox: a shell, coreutils-like applets and nothing else, enough for recipes and tests to run on.
 *
 * <p>It reaches the engine as a {@code docker save} archive through {@code docker load}, not as a bare rootfs
 * through {@code docker import}: docker-java 3.7.1's createImageCmd serialises its input stream as JSON instead
 * of sending it (docker-java issue 2377), and a save archive also carries an image config, so the image gets its
 * label, a default command and PATH. Every byte of the archive is fixed (timestamps, owners), so the image id
 * depends only on the busybox binary and the engine's architecture.
 */
public final class BaseImages {

    static final String BASE_LABEL = "kiln.base";

    /** Made by {@code scripts/make-debian-base.sh} at setup: debootstrap needs root and minutes, not a host start. */
    public static final String DEBIAN_IMAGE = "kiln/debian:bookworm";

    /** Debian's busybox-static installs here; the plain busybox package is usually dynamically linked. */
    private static final List<Path> BUSYBOX_PATHS = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private static final long LIST_TIMEOUT_SECONDS = 30;
    private static final int ELF_MAGIC = 0x464C457F;
    private static final int PROGRAM_HEADER_INTERPRETER = 3;
    /** Fixed, so that the same binary always yields the same layer and image ids. */
    private static final long MODIFIED_AT_MILLIS = 0;
    private static final String CREATED_AT = "1970-01-01T00:00:00Z";

    /**
     * Debian's busybox-static has no nohup applet, and START steps run their command under nohup; without it the
     * backgrounded command fails unseen. Ignoring SIGHUP is all nohup does when its output is redirected anyway.
     */
    private static final String NOHUP_SCRIPT = """
            #!/bin/sh
            trap '' HUP
            exec "$@"
            """;

    private static final List<String> DIRECTORIES = List.of(
            "bin", "dev", "etc", "home", "proc", "sbin", "sys", "usr", "usr/bin", "usr/sbin");

    /** The layer's diff id and the architecture are filled in; the rest is the same for every host. */
    private static final String IMAGE_CONFIG = """
            {"architecture":"%s","os":"linux","created":"%s",\
            "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],\
            "Cmd":["/bin/sh"],"Labels":{"%s":"minimal"}},\
            "rootfs":{"type":"layers","diff_ids":["sha256:%s"]},\
            "history":[{"created":"%s","created_by":"kiln BaseImages.ensureMinimal"}]}""";

    private static final String MANIFEST = """
            [{"Config":"%s","RepoTags":["%s"],"Layers":["%s"]}]""";

    /** A load that lost a race with another host's load of the same image is tried once more. */
    private static final int LOAD_ATTEMPTS = 2;

    private BaseImages() {}

    /**
     * Loads the minimal image as {@code imageRef} unless the host already has this very image under the tag. An
     * image from an older Kiln (without the nohup shim, say) or an older busybox is replaced, so that a host gets
     * the current image by restarting. Two callers at once both load and both succeed: they send identical
     * archives, so the engine ends with one image under the tag.
     */
    public static void ensureMinimal(DockerClient docker, String imageRef) {
        requireNonNull(docker, "docker is null");
        requireNonNull(imageRef, "imageRef is null");
        Optional<String> current = imageId(docker, imageRef);
        Optional<Path> busybox = BUSYBOX_PATHS.stream().filter(Files::isRegularFile).findFirst();
        if (busybox.isEmpty()) {
            if (current.isPresent()) {
                return;
            }
            throw new IllegalStateException(
                    "no busybox at " + BUSYBOX_PATHS + " to build " + imageRef + " from; install busybox-static");
        }
        String architecture = docker.versionCmd().exec().getArch();
        SaveArchive archive = saveArchive(imageRef, busybox.get(), architecture);
        if (current.isPresent() && current.get().equals(archive.imageId())) {
            return;
        }
        // The load endpoint reports failures inside a 200 response, which docker-java does not read; only the
        // image under the tag afterwards says it worked. Several hosts on one engine load this same image (another
        // tag, the same layer and id) at their start, and a load that raced another can leave the image without
        // this tag: tag the image by its id then, and load once more only if the image itself is missing.
        for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
            docker.loadImageCmd(new ByteArrayInputStream(archive.bytes())).exec();
            if (imageId(docker, imageRef).equals(Optional.of(archive.imageId()))) {
                return;
            }
            if (imageId(docker, archive.imageId()).isPresent()) {
                ImageName name = ImageName.parse(imageRef);
                docker.tagImageCmd(archive.imageId(), name.repository(), name.tag()).withForce().exec();
                if (imageId(docker, imageRef).equals(Optional.of(archive.imageId()))) {
                    return;
                }
            }
        }
        throw new IllegalStateException("docker load of " + imageRef + " did not produce the image");
    }

    /** Fails with {@code hint} unless the engine has {@code imageRef}; for base images a host cannot make itself. */
    public static void requirePresent(DockerClient docker, String imageRef, String hint) {
        requireNonNull(docker, "docker is null");
        requireNonNull(imageRef, "imageRef is null");
        requireNonNull(hint, "hint is null");
        if (imageId(docker, imageRef).isEmpty()) {
            throw new IllegalStateException("base image " + imageRef + " is not on this host; " + hint);
        }
    }

    private static Optional<String> imageId(DockerClient docker, String imageRef) {
        try {
            return Optional.of(docker.inspectImageCmd(imageRef).exec().getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** A loaded image's id is the digest of its config, so it is known before the engine sees the archive. */
    private record SaveArchive(byte[] bytes, String imageId) {}

    /** The layout {@code docker save} writes: a manifest, the image config, and the layer as a plain tar. */
    private static SaveArchive saveArchive(String imageRef, Path busybox, String architecture) {
        try {
            byte[] layer = rootfs(busybox);
            String diffId = sha256(layer);
            byte[] config = IMAGE_CONFIG.formatted(architecture, CREATED_AT, BASE_LABEL, diffId, CREATED_AT)
                    .getBytes(StandardCharsets.UTF_8);
            String configDigest = sha256(config);
            String configName = configDigest + ".json";
            String layerName = diffId + "/layer.tar";
            byte[] manifest = MANIFEST.formatted(configName, normalized(imageRef), layerName)
                    .getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream archive = new ByteArrayOutputStream(layer.length + 16 * 1024);
            try (TarArchiveOutputStream tar = tar(archive)) {
                directory(tar, diffId, 0755);
                file(tar, layerName, 0644, layer);
                file(tar, configName, 0644, config);
                file(tar, "manifest.json", 0644, manifest);
            }
            return new SaveArchive(archive.toByteArray(), "sha256:" + configDigest);
        } catch (IOException e) {
            throw new UncheckedIOException("building the minimal image from " + busybox, e);
        }
    }

    private static byte[] rootfs(Path busybox) throws IOException {
        byte[] binary = Files.readAllBytes(busybox);
        requireStaticallyLinked(busybox, binary);
        ByteArrayOutputStream layer = new ByteArrayOutputStream(binary.length + 64 * 1024);
        try (TarArchiveOutputStream tar = tar(layer)) {
            for (String directory : DIRECTORIES) {
                directory(tar, directory, 0755);
            }
            directory(tar, "root", 0700);
            directory(tar, "tmp", 01777);
            file(tar, "bin/busybox", 0755, binary);
            List<String> applets = applets(busybox);
            for (String applet : applets) {
                symlink(tar, "bin/" + applet, "busybox");
            }
            if (!applets.contains("nohup")) {
                file(tar, "bin/nohup", 0755, NOHUP_SCRIPT.getBytes(StandardCharsets.UTF_8));
            }
            file(tar, "etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            file(tar, "etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8));
        }
        return layer.toByteArray();
    }

    /** A bare name means the latest tag to docker, and the manifest's RepoTags must say so. */
    private static String normalized(String imageRef) {
        ImageName name = ImageName.parse(imageRef);
        return name.repository() + ":" + name.tag();
    }

    /**
     * A dynamically linked busybox would import fine and then fail every exec with a bare "no such file", since
     * the image has no loader or libc; this says why up front instead. Only 64-bit little-endian ELF is checked.
     */
    private static void requireStaticallyLinked(Path busybox, byte[] binary) {
        ByteBuffer elf = ByteBuffer.wrap(binary).order(ByteOrder.LITTLE_ENDIAN);
        if (binary.length < 64 || elf.getInt(0) != ELF_MAGIC || elf.get(4) != 2 || elf.get(5) != 1) {
            return;
        }
        long headers = elf.getLong(0x20);
        int headerSize = Short.toUnsignedInt(elf.getShort(0x36));
        int headerCount = Short.toUnsignedInt(elf.getShort(0x38));
        for (int i = 0; i < headerCount; i++) {
            long offset = headers + (long) i * headerSize;
            if (offset + 4 <= binary.length && elf.getInt((int) offset) == PROGRAM_HEADER_INTERPRETER) {
                throw new IllegalStateException(busybox + " is dynamically linked and cannot run in an empty image;"
                        + " install busybox-static");
            }
        }
    }

    private static List<String> applets(Path busybox) throws IOException {
        Process process = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String output;
        try (InputStream stdout = process.getInputStream()) {
            output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(LIST_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(busybox + " --list did not finish");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing busybox applets", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(busybox + " --list failed: " + output.strip());
        }
        List<String> applets = new ArrayList<>();
        for (String line : output.split("\n")) {
            String applet = line.strip();
            if (!applet.isEmpty() && !applet.equals("busybox") && !applet.contains("/")) {
                applets.add(applet);
            }
        }
        return applets;
    }

    private static TarArchiveOutputStream tar(ByteArrayOutputStream bytes) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        return tar;
    }

    private static void directory(TarArchiveOutputStream tar, String name, int permissions) throws IOException {
        TarArchiveEntry entry = entry(new TarArchiveEntry(name + "/"));
        entry.setMode((TarArchiveEntry.DEFAULT_DIR_MODE & ~07777) | permissions);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, int permissions, byte[] content)
            throws IOException {
        TarArchiveEntry entry = entry(new TarArchiveEntry(name));
        entry.setMode((TarArchiveEntry.DEFAULT_FILE_MODE & ~07777) | permissions);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream tar, String name, String target) throws IOException {
        TarArchiveEntry entry = entry(new TarArchiveEntry(name, TarConstants.LF_SYMLINK));
        entry.setMode(0120777);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    /** Commons-compress stamps entries with the current time and user; both would change the image id. */
    private static TarArchiveEntry entry(TarArchiveEntry entry) {
        entry.setModTime(MODIFIED_AT_MILLIS);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        return entry;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
