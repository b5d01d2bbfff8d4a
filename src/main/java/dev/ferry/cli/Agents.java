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
import java.util.function.Consumer;
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

    /**
     * The running agent of one role, as {@link LiveAgents} replaces it. Called on one thread at a
     * time (LiveAgents serialises); the agent field is volatile for {@link ServerPart#port()}.
     */
    private abstract static class Held<A> implements LiveAgents.Part {
        /** Makes an agent; it must not touch shared state (ports, outbox lock) before it is started. */
        interface Builder<A> {
            A build() throws IOException;
        }

        /** Starts an agent. */
        interface Starter<A> {
            void start(A agent) throws IOException;
        }

        private final Consumer<A> close;
        private volatile A agent;

        Held(Consumer<A> close) {
            this.close = close;
        }

        /** Builds and starts an agent when run; if it cannot start, closes it and rethrows. */
        final LiveAgents.Staged staged(Builder<A> builder, Starter<A> starter) {
            return () -> {
                A built = builder.build();
                try {
                    starter.start(built);
                } catch (IOException | RuntimeException e) {
                    close.accept(built);
                    throw e;
                }
                agent = built;
            };
        }

        final A agent() {
            return agent;
        }

        @Override
        public final void stop() {
            A running = agent;
            agent = null;
            if (running != null) {
                close.accept(running);
            }
        }
    }

    /** The server agent as {@link LiveAgents} runs it: stopped and started again with new settings. */
    static final class ServerPart extends Held<ServerAgent> {
        private final Metrics metrics;
        private final Function<FerrySettings, ServerSettings> address;

        /** @param address the server settings it listens with ({@code ferry local}: loopback) */
        ServerPart(Metrics metrics, Function<FerrySettings, ServerSettings> address) {
            super(ServerAgent::close);
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
            return staged(() -> new ServerAgent(server, protocols, metrics.server()), ServerAgent::start);
        }

        /** The port the running server listens on. */
        int port() {
            ServerAgent running = agent();
            if (running == null) {
                throw new IllegalStateException("the server is not running");
            }
            return running.port();
        }
    }

    /** The client agent as {@link LiveAgents} runs it: stopped and started again with new settings. */
    static final class ClientPart extends Held<ClientAgent> {
        private final Metrics metrics;
        private final Function<FerrySettings, ClientSettings> target;
        private final Predicate<String> concerns;

        /**
         * @param target the client settings it pushes with ({@code ferry local}: the running server's address)
         * @param concerns which changed keys make it start again
         */
        ClientPart(Metrics metrics, Function<FerrySettings, ClientSettings> target, Predicate<String> concerns) {
            super(ClientAgent::close);
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
            return staged(() -> new ClientAgent(target.apply(settings), protocol, security, metrics.client(protocol)),
                    ClientAgent::start);
        }
    }
}
