package dev.kiln.activities.docker;

import java.nio.charset.StandardCharsets;

/**
 * The last {@code capacity} bytes written to a stream, and how many bytes were written in all. Memory stays
 * bounded however much a step prints. Written to by docker-java's stream thread, read by the waiting thread.
 */
final class TailBuffer {

    private final byte[] ring;
    private long total;

    TailBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /** Byte {@code i} of the stream lives at {@code ring[i % capacity]}; older bytes are overwritten. */
    synchronized void write(byte[] bytes) {
        int skipped = Math.max(0, bytes.length - ring.length);
        int kept = bytes.length - skipped;
        int position = (int) ((total + skipped) % ring.length);
        int first = Math.min(kept, ring.length - position);
        System.arraycopy(bytes, skipped, ring, position, first);
        System.arraycopy(bytes, skipped + first, ring, 0, kept - first);
        total += bytes.length;
    }

    /** Appends {@code line} on a line of its own, so that it reads as a note after whatever was written. */
    synchronized void writeLine(String line) {
        boolean atLineStart = total == 0 || ring[(int) ((total - 1) % ring.length)] == '\n';
        write(((atLineStart ? "" : "\n") + line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    synchronized long totalBytes() {
        return total;
    }

    /** The tail as UTF-8; the String constructor turns malformed input (binary output) into U+FFFD. */
    synchronized String text() {
        return text(ring.length);
    }

    /** The last {@code maxBytes} of the tail (at most all of it) as UTF-8, as {@link #text()}. */
    synchronized String text(int maxBytes) {
        int size = (int) Math.min(total, Math.min(ring.length, Math.max(0, maxBytes)));
        byte[] tail = new byte[size];
        int start = (int) ((total - size) % ring.length);
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, tail, 0, first);
        System.arraycopy(ring, 0, tail, first, size - first);
        int offset = total > size ? continuationBytes(tail) : 0;
        return new String(tail, offset, size - offset, StandardCharsets.UTF_8);
    }

    /**
     * When the tail was cut, it may start inside a multi-byte character; dropping those few continuation bytes
     * avoids opening the tail with a replacement character.
     */
    private static int continuationBytes(byte[] tail) {
        int count = 0;
        while (count < Math.min(3, tail.length) && (tail[count] & 0xC0) == 0x80) {
            count++;
        }
        return count;
    }
}
