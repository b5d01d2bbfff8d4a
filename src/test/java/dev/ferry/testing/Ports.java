package dev.ferry.testing;

import java.io.IOException;
import java.net.ServerSocket;

/** Loopback ports for tests that must name a port before the agent that listens on it starts. */
public final class Ports {
    private Ports() {
    }

    /** A port free on this machine a moment ago (the system's choice for port 0). */
    public static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
