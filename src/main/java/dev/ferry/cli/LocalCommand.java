package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SecuritySettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.pki.CertificateFolder;
import dev.ferry.security.PluginRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry local}: both agents in one process on 127.0.0.1, outbox to inbox on this machine,
 * with one metrics endpoint for both when {@code ferry.metrics.enabled}. An edit of the configuration
 * file, or SIGHUP, takes effect without restart for both agents ({@link Reloads}).
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
             LiveAgents agents = new LiveAgents(parts(metrics))) {
            return Reloads.runUntilStopped(config, settings, registry, agents);
        }
    }

    /**
     * The server on 127.0.0.1 and a client sending to it. The client depends on the server's settings
     * as well as its own: whenever the server starts again (perhaps on another port), so does the client.
     */
    static List<LiveAgents.Part> parts(Metrics metrics) {
        Agents.ServerPart server = new Agents.ServerPart(metrics,
                next -> next.server().withAddress(LOOPBACK, next.server().port()));
        Agents.ClientPart client = new Agents.ClientPart(metrics,
                next -> next.client().withServer(LOOPBACK, server.port()),
                key -> Agents.clientKey(key) || Agents.serverKey(key));
        return List.of(server, client);
    }
}
