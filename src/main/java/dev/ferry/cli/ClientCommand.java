package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry client}: the client agent, in the foreground until SIGTERM or Ctrl-C; an edit of its
 * configuration file, or SIGHUP, takes effect without restart ({@link Reloads}).
 */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run the client agent: push every file that appears in the outbox to the server."
                + " A saved edit of the configuration file, or SIGHUP, takes effect without restart.")
final class ClientCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        try (Metrics metrics = Metrics.start(settings.metrics());
             LiveAgents agents = new LiveAgents(List.of(
                     new Agents.ClientPart(metrics, FerrySettings::client, Agents::clientKey)))) {
            return Reloads.runUntilStopped(config, settings, registry, agents);
        }
    }
}
