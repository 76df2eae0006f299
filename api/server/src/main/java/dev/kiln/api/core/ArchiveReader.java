package dev.kiln.api.core;

import dev.kiln.api.errors.ApiException;
import dev.kiln.api.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads an uploaded archive into memory, counting as it goes: it stops one byte past the limit, so an oversized
 * upload never costs more than that, and it knows the archive only by its leading bytes, as the host's unpacker
 * will.
 */
public final class ArchiveReader {
    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);
    private static final int USTAR_OFFSET = 257;

    private ArchiveReader() {}

    /**
     * @throws ApiException 413 {@code archive_too_large} past {@code maxBytes}; 400 {@code invalid_archive} for
     *     anything that is not a tar, tar.gz or zip
     */
    public static UploadedArchive read(InputStream in, long maxBytes) throws IOException {
        if (maxBytes < 1 || maxBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be between 1 and an array's size: " + maxBytes);
        }
        int cap = (int) maxBytes + 1;
        byte[] buffer = new byte[Math.min(INITIAL_BUFFER_BYTES, cap)];
        int size = 0;
        while (true) {
            if (size == buffer.length) {
                if (size == cap) {
                    throw tooLarge(maxBytes);
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, cap));
            }
            int read = in.read(buffer, size, buffer.length - size);
            if (read < 0) {
                break;
            }
            size += read;
        }
        byte[] content = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
        return new UploadedArchive(format(content), content, sha256(content));
    }

    public static ApiException tooLarge(long maxBytes) {
        return new ApiException(ErrorCode.ARCHIVE_TOO_LARGE, "the archive is larger than the limit of " + maxBytes + " bytes");
    }

    private static String format(byte[] content) {
        if (startsWith(content, 0, GZIP)) {
            return "tar.gz";
        }
        if (startsWith(content, 0, ZIP)) {
            return "zip";
        }
        if (startsWith(content, USTAR_OFFSET, USTAR)) {
            return "tar";
        }
        throw new ApiException(ErrorCode.INVALID_ARCHIVE, "the archive is not a tar, tar.gz or zip file");
    }

    private static boolean startsWith(byte[] content, int offset, byte[] magic) {
        return content.length >= offset + magic.length
                && Arrays.equals(content, offset, offset + magic.length, magic, 0, magic.length);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
