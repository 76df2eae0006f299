package dev.kiln.activities.docker;

import com.github.dockerjava.transport.UnixSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The local engine at a tcp:// address on loopback, as a remote daemon would be reached: every connection is piped
 * to the engine's unix socket. The engine here listens on its socket only.
 */
final class TcpToUnixForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final String engine;

    private TcpToUnixForwarder(ServerSocket server, String engine) {
        this.server = server;
        this.engine = engine;
    }

    static TcpToUnixForwarder start(String socketPath) throws IOException {
        TcpToUnixForwarder forwarder = new TcpToUnixForwarder(
                new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), socketPath);
        Thread acceptor = new Thread(forwarder::accept, "tcp-to-unix-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return forwarder;
    }

    /** The engine's address for a client. */
    String dockerHost() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                // docker-java's socket, whose two directions do not share a lock as Channels' streams over one
                // SocketChannel do (a read waiting for the answer would hold up the request's write).
                Socket upstream = UnixSocket.get(engine);
                pipe(client.getInputStream(), upstream.getOutputStream(), client, upstream);
                pipe(upstream.getInputStream(), client.getOutputStream(), client, upstream);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pipe(InputStream from, OutputStream to, Socket client, Socket upstream) {
        Thread thread = new Thread(() -> {
            try (client; upstream) {
                from.transferTo(to);
            } catch (IOException ended) {
                // either side hung up
            }
        }, "tcp-to-unix-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
