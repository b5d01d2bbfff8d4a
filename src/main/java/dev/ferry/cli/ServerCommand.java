package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.PluginRegistry;
import dev.ferry.server.ServerAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code ferry server}: the server agent, in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run the server agent: receive files into the inbox until stopped (SIGTERM, Ctrl-C).")
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        try (Metrics metrics = Metrics.start(settings.metrics());
             ServerAgent server = Agents.server(settings, settings.server(), registry, metrics.server())) {
            server.start();
            Signals.awaitTermination();
        }
        return 0;
    }
}
