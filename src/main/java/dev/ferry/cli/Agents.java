package dev.ferry.cli;

import dev.ferry.client.ClientAgent;
import dev.ferry.client.ClientEvents;
import dev.ferry.config.ClientSettings;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.ServerSettings;
import dev.ferry.metrics.Metrics;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecuritySetupException;
import dev.ferry.security.ServerSecurity;
import dev.ferry.server.ServerAgent;
import dev.ferry.server.ServerEvents;
import dev.ferry.transfer.ServerProtocols;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/** Builds the agents from validated settings and the plugin registry. Wiring only. */
final class Agents {
    private Agents() {
    }

    static ServerAgent server(FerrySettings settings, ServerSettings server, PluginRegistry registry,
                              ServerEvents events) throws SecuritySetupException, IOException {
        return new ServerAgent(server, serverProtocols(settings, server, registry), events);
    }

    /** The server side of every accepted protocol: reads the server's keys and certificates. */
    static ServerProtocols serverProtocols(FerrySettings settings, ServerSettings server, PluginRegistry registry)
            throws SecuritySetupException {
        SecurityContext context = SecurityContext.of(settings);
        Map<String, ServerSecurity> accepted = new LinkedHashMap<>();
        for (String id : server.accept()) {
            accepted.put(id, registry.get(id).server(context));
        }
        ServerSecurity seed = accepted.containsKey(settings.security().protocol())
                ? accepted.get(settings.security().protocol())
                : registry.get(settings.security().protocol()).server(context);
        return new ServerProtocols(settings.security().protocol(), seed, accepted);
    }

    static ClientAgent client(FerrySettings settings, ClientSettings client, PluginRegistry registry,
                              ClientEvents events) throws SecuritySetupException {
        return new ClientAgent(client, settings.security().protocol(), clientSecurity(settings, registry), events);
    }

    /** The client side of the configured protocol. */
    static ClientSecurity clientSecurity(FerrySettings settings, PluginRegistry registry)
            throws SecuritySetupException {
        return registry.get(settings.security().protocol()).client(SecurityContext.of(settings));
    }

    /** Whether a change of {@code key} concerns the server agent. */
    static boolean serverKey(String key) {
        return key.startsWith("ferry.server.") || key.startsWith("ferry.security.") || key.startsWith("ferry.plugins.");
    }

    /** Whether a change of {@code key} concerns the client agent. */
    static boolean clientKey(String key) {
        return key.startsWith("ferry.client.") || key.startsWith("ferry.security.") || key.startsWith("ferry.plugins.");
    }

    /** The server agent as {@link LiveAgents} runs it: stopped and started again with new settings. */
    static final class ServerPart implements LiveAgents.Part {
        private final Metrics metrics;
        private final Function<FerrySettings, ServerSettings> address;
        private volatile ServerAgent agent;

        /** @param address the server settings it listens with ({@code ferry local}: loopback) */
        ServerPart(Metrics metrics, Function<FerrySettings, ServerSettings> address) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            this.address = Objects.requireNonNull(address, "address");
        }

        @Override
        public String role() {
            return "server";
        }

        @Override
        public boolean concerns(String key) {
            return serverKey(key);
        }

        @Override
        public LiveAgents.Staged stage(FerrySettings settings, PluginRegistry registry) throws SecuritySetupException {
            ServerSettings server = address.apply(settings);
            ServerProtocols protocols = serverProtocols(settings, server, registry);
            return () -> {
                ServerAgent started = new ServerAgent(server, protocols, metrics.server());
                try {
                    started.start();
                } catch (IOException | RuntimeException e) {
                    started.close();
                    throw e;
                }
                agent = started;
            };
        }

        @Override
        public void stop() {
            ServerAgent running = agent;
            agent = null;
            if (running != null) {
                running.close();
            }
        }

        /** The port the running server listens on. */
        int port() {
            ServerAgent running = agent;
            if (running == null) {
                throw new IllegalStateException("the server is not running");
            }
            return running.port();
        }
    }

    /** The client agent as {@link LiveAgents} runs it: stopped and started again with new settings. */
    static final class ClientPart implements LiveAgents.Part {
        private final Metrics metrics;
        private final Function<FerrySettings, ClientSettings> target;
        private final Predicate<String> concerns;
        private ClientAgent agent;

        /**
         * @param target the client settings it pushes with ({@code ferry local}: the running server's address)
         * @param concerns which changed keys make it start again
         */
        ClientPart(Metrics metrics, Function<FerrySettings, ClientSettings> target, Predicate<String> concerns) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            this.target = Objects.requireNonNull(target, "target");
            this.concerns = Objects.requireNonNull(concerns, "concerns");
        }

        @Override
        public String role() {
            return "client";
        }

        @Override
        public boolean concerns(String key) {
            return concerns.test(key);
        }

        @Override
        public LiveAgents.Staged stage(FerrySettings settings, PluginRegistry registry) throws SecuritySetupException {
            ClientSecurity security = clientSecurity(settings, registry);
            String protocol = settings.security().protocol();
            return () -> {
                ClientAgent started = new ClientAgent(target.apply(settings), protocol, security,
                        metrics.client(protocol));
                try {
                    started.start();
                } catch (IOException | RuntimeException e) {
                    started.close();
                    throw e;
                }
                agent = started;
            };
        }

        @Override
        public void stop() {
            ClientAgent running = agent;
            agent = null;
            if (running != null) {
                running.close();
            }
        }
    }
}
