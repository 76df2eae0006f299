package dev.kiln.activities.golden;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A state dir of its own for one test, under /tmp with a short name (unix socket paths below it must stay under
 * 108 bytes). {@link #close} stops every daemon whose run dir is under it, killed or not, and removes it all.
 */
final class GoldenTestRoot implements AutoCloseable {

    final Path root;

    GoldenTestRoot() throws IOException {
        root = Files.createTempDirectory(Path.of("/tmp"), "kg-");
    }

    @Override
    public void close() {
        Path runRoot = root.resolve("run");
        if (Files.isDirectory(runRoot)) {
            try (Stream<Path> runs = Files.list(runRoot)) {
                for (Path runDir : runs.toList()) {
                    String key = runDir.getFileName().toString();
                    Path dataRoot = Commands.readString(runDir.resolve("data-root")).map(Path::of)
                            .orElse(runDir.resolve("none"));
                    try {
                        SessionDaemon.tearDown(new DaemonPaths(key, runDir, "kiln-" + key), dataRoot,
                                java.time.Duration.ofSeconds(10));
                    } catch (RuntimeException e) {
                        System.err.println(e.getMessage());
                    }
                }
            } catch (IOException e) {
                System.err.println(e.getMessage());
            }
        }
        for (String mount : ProcFs.mountsUnder(root)) {
            Commands.exec(List.of("umount", "-l", mount), java.time.Duration.ofSeconds(30));
        }
        Commands.removeTree(root);
    }

    /** A golden generation made by hand: {@code files} of {@code bytesEach} random bytes, spread over layers. */
    static void writeSyntheticGolden(GoldenLayout layout, String projectId, long generation, int files,
            int bytesEach) throws IOException {
        Path generationDir = layout.generation(projectId, generation);
        Path data = GoldenLayout.generationData(generationDir);
        java.util.Random random = new java.util.Random(42);
        byte[] content = new byte[bytesEach];
        for (int i = 0; i < files; i++) {
            Path layer = data.resolve("overlay2").resolve("layer" + (i % 8)).resolve("diff");
            Files.createDirectories(layer);
            random.nextBytes(content);
            Files.write(layer.resolve("file" + i), content);
        }
        Files.createDirectories(data.resolve("image"));
        Files.writeString(generationDir.resolve(GoldenLayout.VERSION_FILE),
                "{\"projectId\":\"" + projectId + "\",\"generation\":" + generation
                        + ",\"buildId\":\"synthetic\",\"sizeBytes\":1,\"promotedAtMs\":0}");
        layout.swapCurrent(projectId, generation);
    }
}
