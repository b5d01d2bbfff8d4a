package dev.ferry.metrics;

import dev.ferry.client.ClientEvents;
import dev.ferry.config.MetricsSettings;
import dev.ferry.server.ServerEvents;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's monitoring: one Micrometer registry for the agents of this process, their meters,
 * their health, and the endpoint that serves both ({@code ferry.metrics}). When metrics are off it
 * does nothing at all: no registry, no port, and the agents get {@link ServerEvents#NONE} and
 * {@link ClientEvents#NONE}.
 *
 * <p>Made and closed by the owner's thread (the CLI), after the agents are closed; the events it
 * hands out are called from the agents' threads and the endpoint runs on {@code ferry-metrics}.
 */
public final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    private final MetricsSettings settings;
    private final Clock clock;
    private final PrometheusMeterRegistry registry;
    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private MetricsEndpoint endpoint;
    private ServerMeters server;
    private final AtomicInteger clientUp = new AtomicInteger();
    private final Map<String, ClientMeters> clients = new HashMap<>();
    private ClientMeters client;

    private Metrics(MetricsSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.registry = settings.enabled() ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    }

    /** Starts the endpoint when {@code ferry.metrics.enabled}; otherwise returns metrics that do nothing. */
    public static Metrics start(MetricsSettings settings) throws IOException {
        return start(settings, Clock.systemUTC());
    }

    static Metrics start(MetricsSettings settings, Clock clock) throws IOException {
        Metrics metrics = new Metrics(Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(clock, "clock"));
        if (settings.enabled()) {
            metrics.endpoint = MetricsEndpoint.start(settings.host(), settings.port(),
                    out -> metrics.registry.scrape(out), metrics::health);
            log.info("metrics endpoint address={}:{} paths=/metrics,/health", settings.host(), metrics.port());
        }
        return metrics;
    }

    public boolean enabled() {
        return registry != null;
    }

    /** The port the endpoint listens on (useful with port 0); -1 when metrics are off. */
    public int port() {
        return endpoint == null ? -1 : endpoint.port();
    }

    /** The server agent's events: its meters, or {@link ServerEvents#NONE} when off. One server per process. */
    public synchronized ServerEvents server() {
        if (!enabled()) {
            return ServerEvents.NONE;
        }
        if (server == null) {
            server = new ServerMeters(registry, clock);
            checks.add(server);
        }
        return server;
    }

    /**
     * The client agent's events, its meters tagged with {@code protocol}, or {@link ClientEvents#NONE}
     * when off. One client per process; a client started again with another protocol (a configuration
     * reload) gets new meters, and the old ones keep their totals under the old protocol.
     */
    public synchronized ClientEvents client(String protocol) {
        if (!enabled()) {
            return ClientEvents.NONE;
        }
        if (client == null || !client.protocol().equals(protocol)) {
            if (client != null) {
                checks.remove(client);
            }
            // One set of meters per protocol: Micrometer keeps a gauge bound to the first object
            // registered under its name and tags, so meters made again would be left unread.
            client = clients.computeIfAbsent(protocol,
                    id -> new ClientMeters(registry, id, clientUp, settings.unreachableAfter(), clock));
            checks.add(client);
        }
        return client;
    }

    /** The health now: ok unless one of the agents' checks has a problem. */
    public Health health() {
        Instant now = clock.instant();
        return Health.of(checks.stream().map(check -> check.problem(now)).flatMap(Optional::stream).toList());
    }

    /** What {@code /metrics} serves now; empty when off. */
    public String scrape() {
        if (!enabled()) {
            return "";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            registry.scrape(out);
        } catch (IOException e) {
            throw new IllegalStateException("a scrape into memory cannot fail", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Stops the endpoint. */
    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
