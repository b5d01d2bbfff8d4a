package dev.ferry.cli;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code ferry client}: the client agent, in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run the client agent: push every file that appears in the outbox to the server.")
final class ClientCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        try (Metrics metrics = Metrics.start(settings.metrics());
             ClientAgent client = Agents.client(settings, settings.client(), registry,
                     metrics.client(settings.security().protocol()))) {
            client.start();
            Signals.awaitTermination();
        }
        return 0;
    }
}
