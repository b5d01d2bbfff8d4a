package dev.ferry.transfer;

import dev.ferry.security.ServerSecurity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The security a server offers: the protocol it reads seed sessions with (a seed client does not
 * say which it speaks) and the protocols it accepts from native clients, each set up once.
 *
 * @param seedProtocol {@code ferry.security.protocol}
 * @param seed its server side
 * @param accepted {@code ferry.server.accept}: protocol id to server side, in the configured order
 */
public record ServerProtocols(String seedProtocol, ServerSecurity seed, Map<String, ServerSecurity> accepted) {
    public ServerProtocols {
        Objects.requireNonNull(seedProtocol, "seedProtocol");
        Objects.requireNonNull(seed, "seed");
        // Map.copyOf would lose the configured order, which the log and the refusal message show.
        accepted = Collections.unmodifiableMap(new LinkedHashMap<>(accepted));
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("a server accepts at least one protocol");
        }
    }
}
