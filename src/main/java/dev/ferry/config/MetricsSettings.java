package dev.ferry.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code ferry.metrics}: the monitoring endpoint ({@code /metrics} for Prometheus, {@code /health}),
 * validated. See reference.conf for each key.
 *
 * @param enabled whether the agents count and serve anything at all
 * @param host the address the endpoint listens on
 * @param port the endpoint's TCP port (0: any free port, for tests)
 * @param unreachableAfter how long the client may fail to reach its server before {@code /health} says degraded
 */
public record MetricsSettings(boolean enabled, String host, int port, Duration unreachableAfter) {
    public MetricsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(unreachableAfter, "unreachableAfter");
    }

    /** A copy listening on another port (for tests). */
    public MetricsSettings withPort(int newPort) {
        return new MetricsSettings(enabled, host, newPort, unreachableAfter);
    }
}
