package dev.ferry.config;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * All of Ferry's settings, read once at start and validated; immutable.
 *
 * @param server {@code ferry.server}
 * @param client {@code ferry.client}
 * @param security {@code ferry.security} and the server's client-authentication keys
 * @param metrics {@code ferry.metrics}
 * @param reload {@code ferry.config}: watching the configuration file
 * @param pluginsDir {@code ferry.plugins.dir}
 * @param source where the settings came from, for messages ("conf/ferry.conf" or "defaults")
 * @param config the merged configuration: for {@code ferry check-config}, and for plugins with settings of their own
 */
public record FerrySettings(ServerSettings server, ClientSettings client, SecuritySettings security,
                            MetricsSettings metrics, ReloadSettings reload, Path pluginsDir, String source, Config config) {
    public FerrySettings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
    }
}
