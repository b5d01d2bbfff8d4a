package dev.ferry.testing;

import dev.ferry.config.FerrySettings;
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

/** Starts real server agents on 127.0.0.1 for tests, with the built-in plugins or a given registry. */
public final class Servers {
    private static final PluginRegistry PLUGINS = PluginRegistry.load(null);

    private Servers() {
    }

    /** The server side of the configured protocols, as the CLI wires them. */
    public static ServerProtocols protocols(FerrySettings settings) {
        return protocols(settings, PLUGINS);
    }

    /** The server side of the configured protocols, taken from {@code plugins}. */
    public static ServerProtocols protocols(FerrySettings settings, PluginRegistry plugins) {
        try {
            SecurityContext context = SecurityContext.of(settings);
            Map<String, ServerSecurity> accepted = new LinkedHashMap<>();
            for (String id : settings.server().accept()) {
                accepted.put(id, plugins.get(id).server(context));
            }
            String seed = settings.security().protocol();
            return new ServerProtocols(seed, accepted.containsKey(seed) ? accepted.get(seed)
                    : plugins.get(seed).server(context), accepted);
        } catch (SecuritySetupException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A server agent with settings from {@link TestSettings}, started. */
    public static ServerAgent start(FerrySettings settings) throws IOException {
        return start(settings, PLUGINS);
    }

    /** A server agent whose protocols come from {@code plugins} (e.g. with third-party JARs), started. */
    public static ServerAgent start(FerrySettings settings, PluginRegistry plugins) throws IOException {
        return start(settings, plugins, ServerEvents.NONE);
    }

    /** A server agent telling {@code events} what happens (e.g. metrics), started. */
    public static ServerAgent start(FerrySettings settings, ServerEvents events) throws IOException {
        return start(settings, PLUGINS, events);
    }

    private static ServerAgent start(FerrySettings settings, PluginRegistry plugins, ServerEvents events)
            throws IOException {
        ServerAgent agent = new ServerAgent(settings.server(), protocols(settings, plugins), events);
        agent.start();
        return agent;
    }
}
