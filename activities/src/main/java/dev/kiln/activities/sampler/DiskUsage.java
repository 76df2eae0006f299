package dev.kiln.activities.sampler;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The bytes a directory tree takes on disk: each regular file's size rounded up to whole blocks, and a block per
 * directory. Java cannot read st_blocks, so sparse files count at their length, which overstates them; for a
 * container's writable layer, where files arrive by copy-up and by writes, that is close to {@code du}.
 */
final class DiskUsage {

    private DiskUsage() {}

    static long allocatedBytes(Path root) throws IOException {
        long blockSize = Math.max(1, Files.getFileStore(root).getBlockSize());
        long[] total = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                total[0] += blockSize;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                    total[0] += (attributes.size() + blockSize - 1) / blockSize * blockSize;
                }
                return FileVisitResult.CONTINUE;
            }

            /** A file the container deleted while the walk ran is simply not counted. */
            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
