package dev.ferry.testing;

import dev.ferry.client.ClientAgent;
import dev.ferry.client.ClientEvents;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecuritySetupException;

import java.io.IOException;

/** Starts real client agents for tests, with the built-in plugins or a given registry. */
public final class Clients {
    private static final PluginRegistry PLUGINS = PluginRegistry.load(null);

    private Clients() {
    }

    /** The client side of the configured protocol. */
    public static ClientSecurity security(FerrySettings settings) {
        return security(settings, PLUGINS);
    }

    /** The client side of the configured protocol, taken from {@code plugins}. */
    public static ClientSecurity security(FerrySettings settings, PluginRegistry plugins) {
        try {
            return plugins.get(settings.security().protocol()).client(SecurityContext.of(settings));
        } catch (SecuritySetupException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public static ClientAgent start(FerrySettings settings) throws IOException {
        return start(settings, PLUGINS);
    }

    /** A client agent whose protocol comes from {@code plugins} (e.g. with third-party JARs), started. */
    public static ClientAgent start(FerrySettings settings, PluginRegistry plugins) throws IOException {
        return start(settings, plugins, ClientEvents.NONE);
    }

    /** A client agent telling {@code events} what happens (e.g. metrics), started. */
    public static ClientAgent start(FerrySettings settings, ClientEvents events) throws IOException {
        return start(settings, PLUGINS, events);
    }

    private static ClientAgent start(FerrySettings settings, PluginRegistry plugins, ClientEvents events)
            throws IOException {
        ClientAgent agent = new ClientAgent(settings.client(), settings.security().protocol(),
                security(settings, plugins), events);
        agent.start();
        return agent;
    }
}
