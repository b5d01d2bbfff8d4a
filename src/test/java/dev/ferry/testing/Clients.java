package dev.ferry.testing;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SecuritySetupException;

import java.io.IOException;

/** Starts real client agents for tests, with the built-in plugins. */
public final class Clients {
    private static final PluginRegistry PLUGINS = PluginRegistry.load(null);

    private Clients() {
    }

    /** The client side of the configured protocol. */
    public static ClientSecurity security(FerrySettings settings) {
        try {
            return PLUGINS.get(settings.security().protocol()).client(SecurityContext.of(settings));
        } catch (SecuritySetupException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public static ClientAgent start(FerrySettings settings) throws IOException {
        ClientAgent agent = new ClientAgent(settings.client(), settings.security().protocol(), security(settings));
        agent.start();
        return agent;
    }
}
