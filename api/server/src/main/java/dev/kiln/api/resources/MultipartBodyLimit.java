package dev.kiln.api.resources;

import dev.kiln.api.core.ArchiveReader;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Caps a multipart body at the archive limit plus room for the config part. Jersey spools every part to a
 * temporary file before the resource method runs, so without a cap an upload of any size would reach the disk
 * before {@link ArchiveReader} got to count the archive. A declared Content-Length over the cap is refused as a
 * request filter, before anything reads the body, so a client that sent {@code Expect: 100-continue} never sends
 * it; a body without one is cut off while it is read.
 */
public final class MultipartBodyLimit implements ContainerRequestFilter, ReaderInterceptor {
    /** The config part, part headers and boundaries: a recipe is text, and a mebibyte of it is plenty. */
    static final long ENVELOPE_BYTES = 1024 * 1024;

    private final long maxArchiveBytes;
    private final long maxBodyBytes;

    public MultipartBodyLimit(long maxArchiveBytes) {
        if (maxArchiveBytes < 1) {
            throw new IllegalArgumentException("maxArchiveBytes must be positive: " + maxArchiveBytes);
        }
        this.maxArchiveBytes = maxArchiveBytes;
        this.maxBodyBytes = maxArchiveBytes + ENVELOPE_BYTES;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (isMultipart(request.getMediaType()) && request.getLength() > maxBodyBytes) {
            throw ArchiveReader.tooLarge(maxArchiveBytes);
        }
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (!isMultipart(context.getMediaType())) {
            return context.proceed();
        }
        context.setInputStream(new CappedInputStream(context.getInputStream(), maxBodyBytes));
        try {
            return context.proceed();
        } catch (BodyTooLargeException e) {
            // The multipart reader deletes its temporary files when reading fails with an IOException like this one.
            throw ArchiveReader.tooLarge(maxArchiveBytes);
        }
    }

    private static boolean isMultipart(MediaType type) {
        return MediaType.MULTIPART_FORM_DATA_TYPE.isCompatible(type);
    }

    private static final class BodyTooLargeException extends IOException {
        BodyTooLargeException() {
            super("request body over the limit", null);
        }
    }

    private static final class CappedInputStream extends FilterInputStream {
        private final long maxBytes;
        private long count;

        CappedInputStream(InputStream in, long maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                counted(read);
            }
            return read;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long bytes) throws BodyTooLargeException {
            count += bytes;
            if (count > maxBytes) {
                throw new BodyTooLargeException();
            }
        }
    }
}
