package dev.ferry.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one INFO line per delivered file, the same on both sides of the wire. */
final class TransferLog {
    private static final Logger log = LoggerFactory.getLogger("dev.ferry.transfer");

    private TransferLog() {
    }

    /**
     * @param client the name the client proved with its certificate, or null
     */
    static void stored(String name, long bytes, long startNanos, String protocol, String peer, String client,
                       boolean seed) {
        long nanos = Math.max(1, System.nanoTime() - startNanos);
        log.info("stored file={} bytes={} ms={} mbps={} protocol={}{} peer={}{}", name, bytes, nanos / 1_000_000,
                String.format("%.1f", bytes * 1000.0 / nanos), protocol, seed ? " seed=true" : "", peer,
                client == null ? "" : " client=" + client);
    }
}
