package dev.ferry.security;

import com.typesafe.config.Config;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * What a plugin gets to set itself up: the {@code ferry.security} section of the validated
 * configuration (paths of keys and certificates, plugin-specific keys), the name the client
 * expects the server to prove, and the random source of the agent.
 *
 * @param settings the {@code ferry.security} section, fully resolved
 * @param expectedServerName for the client side: the host name or address the server certificate must name
 * @param random the agent's random source, shared by all its connections
 */
public record SecurityContext(Config settings, String expectedServerName, SecureRandom random) {
    public SecurityContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(expectedServerName, "expectedServerName");
        Objects.requireNonNull(random, "random");
    }
}
