package dev.ferry.metrics;

import dev.ferry.client.ClientEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The client agent's meters ({@code ferry_client_*}, README "Monitoring" lists them), every one
 * tagged with the configured protocol, and its part of the health: degraded once no session with
 * the server could be opened for {@code ferry.metrics.unreachable-after}. Thread-safe.
 *
 * <p>{@link Metrics} keeps one instance per protocol: when a configuration reload changes the
 * protocol, the client gets the meters of the new one, the old ones keep their totals (their gauges
 * read 0 once stopped), and {@code ferry.agent.up} (one gauge per role) is shared through {@code up}.
 */
final class ClientMeters implements ClientEvents, HealthCheck {
    private final Clock clock;
    private final Duration unreachableAfter;
    private final String protocol;
    private final AtomicInteger up;
    private final Counter delivered;
    private final Counter deliveredBytes;
    private final Counter sentBytes;
    private final Timer transfer;
    private final Map<Failure, Counter> failed = new EnumMap<>(Failure.class);
    private final Map<Retry, Counter> retried = new EnumMap<>(Retry.class);
    private final Map<ConnectFailure, Counter> connectFailures = new EnumMap<>(ConnectFailure.class);
    private volatile IntSupplier queued = () -> 0;
    private volatile IntSupplier inFlight = () -> 0;
    private volatile IntSupplier connections = () -> 0;
    private volatile long lastDeliveredMillis;
    private volatile long unreachableSinceMillis = -1;
    private volatile String lastConnectFailure;

    ClientMeters(MeterRegistry registry, String protocol, AtomicInteger up, Duration unreachableAfter, Clock clock) {
        Objects.requireNonNull(registry, "registry");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.up = Objects.requireNonNull(up, "up");
        this.unreachableAfter = Objects.requireNonNull(unreachableAfter, "unreachableAfter");
        this.clock = Objects.requireNonNull(clock, "clock");
        Gauge.builder("ferry.agent.up", up::get).description("1 while the agent of this role runs")
                .tag("role", "client").strongReference(true).register(registry);
        Gauge.builder("ferry.client.files.queued", () -> queued.getAsInt())
                .description("Files waiting in the outbox, not yet being sent (settling or ready)")
                .tag("protocol", protocol).strongReference(true).register(registry);
        Gauge.builder("ferry.client.files.in.flight", () -> inFlight.getAsInt())
                .description("Files being sent or waiting for the server's confirmation")
                .tag("protocol", protocol).strongReference(true).register(registry);
        Gauge.builder("ferry.client.connections", () -> connections.getAsInt())
                .description("Sessions open with the server (0 to ferry.client.connections)")
                .tag("protocol", protocol).strongReference(true).register(registry);
        Gauge.builder("ferry.client.last.delivered.timestamp", () -> lastDeliveredMillis / 1000.0)
                .baseUnit("seconds")
                .description("When the server last confirmed a file, seconds since the epoch; 0 before the first")
                .tag("protocol", protocol).strongReference(true).register(registry);
        Gauge.builder("ferry.client.unreachable", this::unreachableSeconds).baseUnit("seconds")
                .description("How long no session with the server could be opened; 0 while it can")
                .tag("protocol", protocol).strongReference(true).register(registry);
        this.delivered = Counter.builder("ferry.client.files.delivered")
                .description("Files the server confirmed (stored, or already had)")
                .tag("protocol", protocol).register(registry);
        this.deliveredBytes = Counter.builder("ferry.client.delivered.bytes").baseUnit("bytes")
                .description("Bytes of the files the server confirmed").tag("protocol", protocol).register(registry);
        this.sentBytes = Counter.builder("ferry.client.sent.bytes").baseUnit("bytes")
                .description("File data written to the connection, re-sends included")
                .tag("protocol", protocol).register(registry);
        this.transfer = Timer.builder("ferry.client.transfer")
                .description("Time from the start of a file's push to the server's confirmation")
                .tag("protocol", protocol).serviceLevelObjectives(Buckets.TRANSFER).register(registry);
        for (Failure reason : Failure.values()) {
            failed.put(reason, Counter.builder("ferry.client.files.failed")
                    .description("Files moved to the failed folder, by reason")
                    .tag("protocol", protocol).tag("reason", ServerMeters.label(reason)).register(registry));
        }
        for (Retry reason : Retry.values()) {
            retried.put(reason, Counter.builder("ferry.client.files.retried")
                    .description("Files not delivered this time and sent again, by reason")
                    .tag("protocol", protocol).tag("reason", ServerMeters.label(reason)).register(registry));
        }
        for (ConnectFailure reason : ConnectFailure.values()) {
            connectFailures.put(reason, Counter.builder("ferry.client.connect.failures")
                    .description("Sessions with the server that could not be opened, by reason")
                    .tag("protocol", protocol).tag("reason", ServerMeters.label(reason)).register(registry));
        }
    }

    String protocol() {
        return protocol;
    }

    @Override
    public void started(IntSupplier queued, IntSupplier inFlight, IntSupplier connections) {
        this.queued = Objects.requireNonNull(queued, "queued");
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        this.connections = Objects.requireNonNull(connections, "connections");
        up.set(1);
    }

    @Override
    public void stopped() {
        up.set(0);
        queued = () -> 0;
        inFlight = () -> 0;
        connections = () -> 0;
    }

    @Override
    public void connected() {
        unreachableSinceMillis = -1;
        lastConnectFailure = null;
    }

    @Override
    public void connectFailed(ConnectFailure reason, String detail) {
        connectFailures.get(reason).increment();
        lastConnectFailure = detail;
        if (unreachableSinceMillis < 0) {
            unreachableSinceMillis = clock.millis();
        }
    }

    @Override
    public void sent(long bytes) {
        sentBytes.increment(bytes);
    }

    @Override
    public void delivered(long bytes, long nanos) {
        delivered.increment();
        deliveredBytes.increment(bytes);
        transfer.record(nanos, TimeUnit.NANOSECONDS);
        lastDeliveredMillis = clock.millis();
    }

    @Override
    public void failed(Failure reason) {
        failed.get(reason).increment();
    }

    @Override
    public void retried(Retry reason) {
        retried.get(reason).increment();
    }

    private double unreachableSeconds() {
        long since = unreachableSinceMillis;
        return since < 0 || up.get() == 0 ? 0 : Math.max(0, clock.millis() - since) / 1000.0;
    }

    @Override
    public Optional<String> problem(Instant now) {
        long since = unreachableSinceMillis;
        if (up.get() == 0 || since < 0) {
            return Optional.empty();
        }
        Duration down = Duration.ofMillis(Math.max(0, now.toEpochMilli() - since));
        if (down.compareTo(unreachableAfter) < 0) {
            return Optional.empty();
        }
        String last = lastConnectFailure;
        return Optional.of("server unreachable for " + Durations.human(down)
                + (last == null ? "" : " (last error: " + last + ")"));
    }
}
