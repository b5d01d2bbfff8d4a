package dev.ferry.metrics;

import java.time.Instant;
import java.util.Optional;

/** One part of the agent's health: a problem worth a person's attention now, if there is one. Thread-safe. */
@FunctionalInterface
interface HealthCheck {
    Optional<String> problem(Instant now);
}
