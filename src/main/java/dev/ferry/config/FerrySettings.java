package dev.ferry.config;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * All of Ferry's settings, read once at start and validated; immutable.
 *
 * @param server {@code ferry.server}
 * @param client {@code ferry.client}
 * @param protocol {@code ferry.security.protocol}
 * @param security the whole {@code ferry.security} section, resolved, for the plugins
 * @param pluginsDir {@code ferry.plugins.dir}
 * @param source where the settings came from, for messages ("conf/ferry.conf" or "defaults")
 * @param config the merged configuration, for {@code ferry check-config}
 */
public record FerrySettings(ServerSettings server, ClientSettings client, String protocol, Config security,
                            Path pluginsDir, String source, Config config) {
    public FerrySettings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
    }
}
