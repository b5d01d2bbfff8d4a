package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** {@code ferry.client}: the client agent's settings, validated. See reference.conf for each key. */
public record ClientSettings(
        String name,
        String serverHost,
        int serverPort,
        Path outbox,
        AfterSendMode afterSend,
        Path archiveDir,
        Path failedDir,
        Duration settleTime,
        Duration rescanInterval,
        List<String> exclude,
        Duration retryInitial,
        Duration retryMax,
        int integrityRetries,
        long resumeThreshold,
        int blockSize,
        int window,
        int connections,
        Duration connectTimeout,
        Duration replyTimeout,
        Duration idleClose,
        boolean compat,
        long compatMaxFileSize,
        Duration shutdownGrace) {

    public ClientSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(serverHost, "serverHost");
        Objects.requireNonNull(outbox, "outbox");
        Objects.requireNonNull(afterSend, "afterSend");
        Objects.requireNonNull(archiveDir, "archiveDir");
        Objects.requireNonNull(failedDir, "failedDir");
        Objects.requireNonNull(settleTime, "settleTime");
        Objects.requireNonNull(rescanInterval, "rescanInterval");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        Objects.requireNonNull(idleClose, "idleClose");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        exclude = List.copyOf(exclude);
    }

    /** A copy pushing to another server address (for {@code ferry local} and tests). */
    public ClientSettings withServer(String host, int port) {
        return new ClientSettings(name, host, port, outbox, afterSend, archiveDir, failedDir, settleTime,
                rescanInterval, exclude, retryInitial, retryMax, integrityRetries, resumeThreshold, blockSize, window, connections, connectTimeout,
                replyTimeout, idleClose, compat, compatMaxFileSize, shutdownGrace);
    }
}
