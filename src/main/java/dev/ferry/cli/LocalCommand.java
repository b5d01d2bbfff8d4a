package dev.ferry.cli;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SecuritySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.pki.CertificateFolder;
import dev.ferry.security.PluginRegistry;
import dev.ferry.server.ServerAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code ferry local}: both agents in one process on 127.0.0.1, outbox to inbox on this machine,
 * with one metrics endpoint for both when {@code ferry.metrics.enabled}.
 */
@Command(name = "local", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run both agents in one process on 127.0.0.1: drop a file into the outbox and it appears"
                + " in the inbox.")
final class LocalCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(LocalCommand.class);
    private static final String LOOPBACK = "127.0.0.1";

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        SecuritySettings security = settings.security();
        if (CertificateFolder.createForLocalUse(security.caCert(), security.serverCert(), security.serverKey())) {
            log.info("first run: created a local CA and a server certificate for this machine in {} (ferry certs init"
                    + " makes them for a real deployment)", security.caCert().toAbsolutePath().getParent());
        }
        try (Metrics metrics = Metrics.start(settings.metrics());
             ServerAgent server = Agents.server(settings,
                     settings.server().withAddress(LOOPBACK, settings.server().port()), registry, metrics.server())) {
            server.start();
            try (ClientAgent client = Agents.client(settings, settings.client().withServer(LOOPBACK, server.port()),
                    registry, metrics.client(settings.security().protocol()))) {
                client.start();
                Signals.awaitTermination();
            }
        }
        return 0;
    }
}
