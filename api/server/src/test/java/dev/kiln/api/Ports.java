package dev.kiln.api;

import java.io.IOException;
import java.net.ServerSocket;

final class Ports {
    private Ports() {}

    /**
     * A loopback port free now, for a service that must come back on the same port after a restart (so port 0 will
     * not do); another process taking it in between is a race the tests accept.
     */
    static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
