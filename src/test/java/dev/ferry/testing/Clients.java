package dev.ferry.testing;

import dev.ferry.client.ClientAgent;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.plain.PlainPlugin;

import java.io.IOException;

/** Starts real client agents for tests. */
public final class Clients {
    private Clients() {
    }

    public static ClientAgent startPlain(FerrySettings settings) throws IOException {
        ClientAgent agent = new ClientAgent(settings.client(), "plain", new PlainPlugin().client(
                SecurityContext.of(TestSettings.load())));
        agent.start();
        return agent;
    }
}
