package dev.ferry.security;

/** The server side of a plugin for one agent: holds its key and certificates parsed once. Thread-safe. */
public interface ServerSecurity {
    /** A fresh handshake for one native connection. */
    ServerHandshake nativeHandshake();

    /** A fresh state for one seed connection (the original programs' protocol). */
    SeedReceiver seedSession();
}
