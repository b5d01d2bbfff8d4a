package dev.ferry.cli;

import dev.ferry.client.ClientAgent;
import dev.ferry.client.ClientEvents;
import dev.ferry.config.ClientSettings;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.ServerSettings;
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

/** Builds the agents from validated settings and the plugin registry. Wiring only. */
final class Agents {
    private Agents() {
    }

    static ServerAgent server(FerrySettings settings, ServerSettings server, PluginRegistry registry,
                              ServerEvents events) throws SecuritySetupException, IOException {
        SecurityContext context = SecurityContext.of(settings);
        Map<String, ServerSecurity> accepted = new LinkedHashMap<>();
        for (String id : server.accept()) {
            accepted.put(id, registry.get(id).server(context));
        }
        ServerSecurity seed = accepted.containsKey(settings.security().protocol())
                ? accepted.get(settings.security().protocol())
                : registry.get(settings.security().protocol()).server(context);
        return new ServerAgent(server, new ServerProtocols(settings.security().protocol(), seed, accepted), events);
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
}
