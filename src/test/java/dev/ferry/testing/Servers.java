package dev.ferry.testing;

import dev.ferry.config.FerrySettings;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.plain.PlainPlugin;
import dev.ferry.server.ServerAgent;
import dev.ferry.transfer.ServerProtocols;

import java.io.IOException;
import java.util.Map;

/** Starts real server agents on 127.0.0.1 for tests. */
public final class Servers {
    private Servers() {
    }

    /** A plain server agent on an ephemeral loopback port, with settings from {@link TestSettings}. */
    public static ServerAgent startPlain(FerrySettings settings) throws IOException {
        ServerSecurity plain = new PlainPlugin().server(SecurityContext.of(TestSettings.load()));
        ServerAgent agent = new ServerAgent(settings.server(), new ServerProtocols("plain", plain,
                Map.of("plain", plain)));
        agent.start();
        return agent;
    }
}
