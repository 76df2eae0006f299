package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** A multipart/form-data body as curl -F would send it, streamed, so a test can upload more than it holds. */
final class MultipartBody {
    private final String boundary = "kiln-it-" + UUID.randomUUID();
    private final List<BodyPublisher> parts = new ArrayList<>();
    private long length;
    private boolean chunked;

    MultipartBody json(String name, String json) {
        return part(name, null, "application/json", BodyPublishers.ofString(json, UTF_8), json.getBytes(UTF_8).length);
    }

    MultipartBody file(String name, String filename, byte[] content) {
        return part(name, filename, "application/octet-stream", BodyPublishers.ofByteArray(content), content.length);
    }

    MultipartBody file(String name, String filename, long size, Supplier<InputStream> content) {
        return part(name, filename, "application/octet-stream", BodyPublishers.ofInputStream(content), size);
    }

    /** Sends the body without a Content-Length, in chunks, as a client streaming from a pipe would. */
    MultipartBody chunked() {
        chunked = true;
        return this;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    HttpRequest.BodyPublisher publisher() {
        List<BodyPublisher> all = new ArrayList<>(parts);
        byte[] end = ("--" + boundary + "--\r\n").getBytes(UTF_8);
        all.add(BodyPublishers.ofByteArray(end));
        BodyPublisher body = BodyPublishers.concat(all.toArray(BodyPublisher[]::new));
        return chunked ? BodyPublishers.fromPublisher(body) : BodyPublishers.fromPublisher(body, length + end.length);
    }

    private MultipartBody part(String name, String filename, String type, BodyPublisher content, long size) {
        String disposition = "form-data; name=\"" + name + "\"" + (filename == null ? "" : "; filename=\"" + filename + "\"");
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\nContent-Type: " + type
                + "\r\n\r\n").getBytes(UTF_8);
        byte[] tail = "\r\n".getBytes(UTF_8);
        parts.add(BodyPublishers.ofByteArray(head));
        parts.add(content);
        parts.add(BodyPublishers.ofByteArray(tail));
        length += head.length + size + tail.length;
        return this;
    }
}
