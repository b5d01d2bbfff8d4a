package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** {@code ferry.server}: the server agent's settings, validated. See reference.conf for each key. */
public record ServerSettings(
        String host,
        int port,
        Path inbox,
        ConflictPolicy onConflict,
        int maxConnections,
        int commitThreads,
        long maxFileSize,
        int maxBlock,
        long seedMaxFileSize,
        long minFreeSpace,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration frameTimeout,
        long minRate,
        List<String> accept,
        Duration receiptsRetention,
        long resumeCheckpoint,
        Duration resumeRetention,
        Duration shutdownGrace) {

    public ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(onConflict, "onConflict");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(receiptsRetention, "receiptsRetention");
        Objects.requireNonNull(resumeRetention, "resumeRetention");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        accept = List.copyOf(accept);
        if (accept.isEmpty()) {
            throw new IllegalArgumentException("accept must name at least one protocol");
        }
    }

    /** A copy listening on another address and port (for {@code ferry local} and tests). */
    public ServerSettings withAddress(String newHost, int newPort) {
        return new ServerSettings(newHost, newPort, inbox, onConflict, maxConnections, commitThreads, maxFileSize, maxBlock,
                seedMaxFileSize, minFreeSpace, handshakeTimeout, idleTimeout, frameTimeout, minRate, accept,
                receiptsRetention, resumeCheckpoint, resumeRetention, shutdownGrace);
    }
}
