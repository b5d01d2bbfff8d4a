package dev.ferry.security;

import com.typesafe.config.Config;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SecuritySettings;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * What a plugin gets to set itself up: the validated security settings (paths of keys and
 * certificates, the name the server must prove), the whole merged configuration for plugins with
 * settings of their own, and the agent's random source.
 *
 * @param settings {@code ferry.security} and the server's client-authentication keys
 * @param config the merged configuration (resolved), for third-party plugins' own keys
 * @param random the agent's random source, shared by all its connections
 */
public record SecurityContext(SecuritySettings settings, Config config, SecureRandom random) {
    public SecurityContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(random, "random");
    }

    /** A context from full settings, with a new random source. */
    public static SecurityContext of(FerrySettings settings) {
        return new SecurityContext(settings.security(), settings.config(), new SecureRandom());
    }
}
