package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.transport.UnixSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * The flatten's import request ({@code POST /images/create?fromSrc=-}), over an HTTP client of its own. docker-java
 * 3.7.1 cannot send a stream there (docker-java issue 2377), and its transport, which Kiln used instead, sends a
 * request body as httpclient5's InputStreamEntity does: 4 KiB at a time, each piece a chunk of its own and a write
 * to the socket, 262,144 of them for a 1 GiB layer. This client moves whatever the export gives, up to
 * {@link #PIECE_BYTES}, as one chunk and one write. Same engine address and socket as docker-java's.
 */
final class LayerImport {
    /** Big enough that the export's reads, not the import's writes, set the pace. */
    private static final int PIECE_BYTES = 1 << 20;
    private static final ContentType TAR = ContentType.create("application/x-tar");

    private final CloseableHttpClient http;
    private final HttpHost engine;

    private LayerImport(CloseableHttpClient http, HttpHost engine) {
        this.http = http;
        this.engine = engine;
    }

    /** A client for the engine at {@code dockerHost}: {@code unix:///path/docker.sock} or {@code tcp://host:port}. */
    static LayerImport to(URI dockerHost) {
        requireNonNull(dockerHost, "dockerHost is null");
        DetachedSocketFactory sockets;
        HttpHost engine;
        switch (dockerHost.getScheme()) {
            case "unix" -> {
                String path = dockerHost.getPath();
                sockets = proxy -> UnixSocket.get(path);
                // The address is only a name for the connection pool: the socket factory ignores it.
                engine = new HttpHost("http", "localhost", 2375);
            }
            case "tcp" -> {
                sockets = proxy -> proxy == null ? new Socket() : new Socket(proxy);
                engine = new HttpHost("http", dockerHost.getHost(), dockerHost.getPort());
            }
            default -> throw new IllegalArgumentException("cannot import layers over " + dockerHost);
        }
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(
                new DefaultHttpClientConnectionOperator(sockets, DefaultSchemePortResolver.INSTANCE,
                        SystemDefaultDnsResolver.INSTANCE, name -> null),
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND,
                ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom().setChunkSizeHint(PIECE_BYTES).build())
                        .build());
        // As docker-java's: flattens run side by side, each on a connection of its own.
        connections.setMaxTotal(Integer.MAX_VALUE);
        connections.setDefaultMaxPerRoute(Integer.MAX_VALUE);
        return new LayerImport(HttpClients.custom().setConnectionManager(connections).build(), engine);
    }

    /** Status and body of the engine's answer to the import at {@code pathAndQuery}, once it has read the layer. */
    record Answer(int status, String body) {}

    Answer post(String pathAndQuery, InputStream layer) throws IOException {
        HttpPost request = new HttpPost(pathAndQuery);
        // One connection per flatten, closed after it: flattens are minutes apart, and a pooled one would outlive
        // the activity objects of tests that make many.
        request.setHeader("Connection", "close");
        request.setEntity(new LayerEntity(layer));
        return http.execute(engine, request, response -> new Answer(response.getCode(),
                response.getEntity() == null ? ""
                        : new String(response.getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8)));
    }

    /** The layer as it comes, sent once (a retry of the whole flatten exports again). */
    private static final class LayerEntity extends AbstractHttpEntity {
        private final InputStream layer;

        LayerEntity(InputStream layer) {
            super(TAR, null, true);
            this.layer = layer;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            byte[] piece = new byte[PIECE_BYTES];
            for (int read = layer.read(piece); read >= 0; read = layer.read(piece)) {
                out.write(piece, 0, read);
            }
        }

        @Override
        public InputStream getContent() {
            return layer;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public boolean isStreaming() {
            return true;
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public void close() throws IOException {
            layer.close();
        }
    }
}
