package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry server}: the server agent, in the foreground until SIGTERM or Ctrl-C; an edit of its
 * configuration file, or SIGHUP, takes effect without restart ({@link Reloads}).
 */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run the server agent: receive files into the inbox until stopped (SIGTERM, Ctrl-C)."
                + " A saved edit of the configuration file, or SIGHUP, takes effect without restart.")
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        try (Metrics metrics = Metrics.start(settings.metrics());
             LiveAgents agents = new LiveAgents(List.of(new Agents.ServerPart(metrics, FerrySettings::server)))) {
            return Reloads.runUntilStopped(config, settings, registry, agents);
        }
    }
}
