package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ArchiveReaderTest {

    @Test
    void gzipIsTarGzWithItsDigest() throws Exception {
        byte[] content = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3};

        UploadedArchive archive = ArchiveReader.read(new ByteArrayInputStream(content), 1024);

        assertThat(archive.format()).isEqualTo("tar.gz");
        assertThat(archive.content()).isEqualTo(content);
        assertThat(archive.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }

    @Test
    void zipAndTarAreKnownByTheirMagic() throws IOException {
        byte[] zip = {'P', 'K', 3, 4, 20, 0};
        byte[] tar = new byte[1024];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);

        assertThat(ArchiveReader.read(new ByteArrayInputStream(zip), 1024).format()).isEqualTo("zip");
        assertThat(ArchiveReader.read(new ByteArrayInputStream(tar), 1024).format()).isEqualTo("tar");
    }

    @Test
    void anythingElseIsAnInvalidArchive() {
        for (byte[] content : new byte[][] {
                "just some text".getBytes(StandardCharsets.UTF_8), {}, {'P', 'K', 5, 6}, {0x1f}, new byte[300]}) {
            assertThatThrownBy(() -> ArchiveReader.read(new ByteArrayInputStream(content), 1024))
                    .as(Arrays.toString(content))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARCHIVE);
                    });
        }
    }

    @Test
    void exactlyTheLimitIsAccepted() throws IOException {
        byte[] content = new byte[200_000];
        content[0] = 0x1f;
        content[1] = (byte) 0x8b;

        assertThat(ArchiveReader.read(new ByteArrayInputStream(content), content.length).content()).isEqualTo(content);
    }

    @Test
    void oneByteOverTheLimitIsTooLargeAndReadingStopsThere() {
        CountingStream endless = new CountingStream();

        assertThatThrownBy(() -> ArchiveReader.read(endless, 100_000))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ARCHIVE_TOO_LARGE);
                    assertThat(e.getMessage()).contains("100000");
                });
        assertThat(endless.served).isEqualTo(100_001);
    }

    /** An endless gzip-looking stream that counts what it hands out. */
    private static final class CountingStream extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return served == 1 ? 0x1f : 0x8b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            Arrays.fill(buffer, offset, offset + length, (byte) 0);
            served += length;
            return length;
        }
    }
}
