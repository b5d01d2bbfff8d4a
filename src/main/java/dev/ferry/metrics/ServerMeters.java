package dev.ferry.metrics;

import dev.ferry.server.ServerEvents;
import dev.ferry.transfer.ReceivedFile;
import dev.ferry.wire.ReplyStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The server agent's meters ({@code ferry_server_*}, README "Monitoring" lists them) and its part of
 * the health: degraded while the listening socket is down, or while the inbox cannot be written
 * (the last file was refused with UNAVAILABLE and none was stored since). Thread-safe.
 */
final class ServerMeters implements ServerEvents, HealthCheck {
    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicInteger up = new AtomicInteger();
    private final Counter rejected;
    private volatile IntSupplier connections = () -> 0;
    private volatile IntSupplier receiving = () -> 0;
    private volatile long lastStoredMillis;
    private volatile long inboxFailingSinceMillis = -1;
    private volatile String acceptFailure;

    ServerMeters(MeterRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        Gauge.builder("ferry.agent.up", up::get).description("1 while the agent of this role runs")
                .tag("role", "server").strongReference(true).register(registry);
        Gauge.builder("ferry.server.connections", () -> connections.getAsInt())
                .description("Client connections open now").strongReference(true).register(registry);
        Gauge.builder("ferry.server.files.receiving", () -> receiving.getAsInt())
                .description("Files being received now (in flight)").strongReference(true).register(registry);
        Gauge.builder("ferry.server.last.stored.timestamp", () -> lastStoredMillis / 1000.0).baseUnit("seconds")
                .description("When the last file was stored, seconds since the epoch; 0 before the first")
                .strongReference(true).register(registry);
        this.rejected = Counter.builder("ferry.server.connections.rejected")
                .description("Connections closed at once because max-connections were open").register(registry);
        for (HandshakeFailure reason : HandshakeFailure.values()) {
            handshakeFailures(reason);
        }
    }

    @Override
    public void started(IntSupplier connections, IntSupplier receiving) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.receiving = Objects.requireNonNull(receiving, "receiving");
        up.set(1);
    }

    @Override
    public void stopped() {
        up.set(0);
        connections = () -> 0;
        receiving = () -> 0;
    }

    @Override
    public void acceptFailed(String reason) {
        acceptFailure = reason;
    }

    @Override
    public void connectionRejected() {
        rejected.increment();
    }

    @Override
    public void handshakeFailed(HandshakeFailure reason) {
        handshakeFailures(reason).increment();
    }

    private Counter handshakeFailures(HandshakeFailure reason) {
        return Counter.builder("ferry.server.handshake.failures")
                .description("Connections that ended before their handshake did, by reason")
                .tag("reason", label(reason)).register(registry);
    }

    @Override
    public void finished(ReceivedFile file) {
        String protocol = file.protocol();
        switch (file.verdict()) {
            case STORED -> {
                Counter.builder("ferry.server.files.stored").description("Files stored in the inbox")
                        .tag("protocol", protocol).register(registry).increment();
                Counter.builder("ferry.server.stored.bytes").baseUnit("bytes")
                        .description("Bytes of the files stored in the inbox")
                        .tag("protocol", protocol).register(registry).increment(file.size());
                Timer.builder("ferry.server.transfer")
                        .description("Time from a file's first frame to its storage in the inbox")
                        .tag("protocol", protocol).serviceLevelObjectives(Buckets.TRANSFER).register(registry)
                        .record(file.nanos(), TimeUnit.NANOSECONDS);
                lastStoredMillis = clock.millis();
                inboxFailingSinceMillis = -1;
            }
            case DUPLICATE -> Counter.builder("ferry.server.files.duplicate")
                    .description("Files the server already had (sent again after a lost acknowledgement)")
                    .tag("protocol", protocol).register(registry).increment();
            case REFUSED -> {
                Counter.builder("ferry.server.files.refused").description("Files refused, by REPLY status")
                        .tag("protocol", protocol).tag("status", label(file.status()))
                        .register(registry).increment();
                if (file.status() == ReplyStatus.UNAVAILABLE && inboxFailingSinceMillis < 0) {
                    inboxFailingSinceMillis = clock.millis();
                }
            }
        }
    }

    @Override
    public Optional<String> problem(Instant now) {
        if (up.get() == 0) {
            return Optional.empty();
        }
        String accept = acceptFailure;
        if (accept != null) {
            return Optional.of("server not accepting connections: " + accept);
        }
        long since = inboxFailingSinceMillis;
        if (since >= 0) {
            // The reason itself stays in the server's log: it can name a file, and this endpoint shows no names.
            return Optional.of("server cannot write to the inbox since " + Instant.ofEpochMilli(since)
                    + " (files refused with UNAVAILABLE; the server log says why)");
        }
        return Optional.empty();
    }

    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
