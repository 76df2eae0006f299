package dev.kiln.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder on a loopback port, put between kiln-api and one of its dependencies so that a test can take that
 * dependency away from this kiln-api alone, as a stopped server or a cut network would, while the shared server goes
 * on serving everyone else. {@link #cutOff()} drops every connection and refuses new ones; {@link #restore()} listens
 * again on the same port.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tcp-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private volatile ServerSocket listener;

    private TcpProxy(InetSocketAddress target, int port) {
        this.target = target;
        this.port = port;
    }

    /** Listens on a free loopback port and forwards each connection to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            ServerSocket listener = listen(0);
            TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, port), listener.getLocalPort());
            proxy.accept(listener);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Closes the listener and every forwarded connection: a client now gets "connection refused". */
    public synchronized void cutOff() {
        closeQuietly(listener);
        listener = null;
        for (Socket socket : List.copyOf(open)) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /** Listens on the same port again. */
    public synchronized void restore() {
        if (listener != null) {
            return;
        }
        try {
            accept(listen(port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        cutOff();
        threads.shutdownNow();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket listener = new ServerSocket();
        // The port was in use a moment ago: without this a restore could wait out TIME_WAIT.
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return listener;
    }

    private void accept(ServerSocket listener) {
        this.listener = listener;
        threads.execute(() -> {
            while (!listener.isClosed()) {
                try {
                    forward(listener, listener.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void forward(ServerSocket acceptedBy, Socket client) {
        Socket server = new Socket();
        try {
            server.connect(target, 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        synchronized (this) {
            // Accepted just before a cut, connected just after: it must not outlive the cut.
            if (listener != acceptedBy) {
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            open.add(client);
            open.add(server);
        }
        threads.execute(() -> pump(client, server));
        threads.execute(() -> pump(server, client));
    }

    /** Copies one direction until either side ends, then ends both, as a dropped connection would. */
    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ended) {
            // the other direction, cutOff() or a peer closed it
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception alreadyClosed) {
            // nothing left to release
        }
    }
}
