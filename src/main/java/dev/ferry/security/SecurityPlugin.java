package dev.ferry.security;

/**
 * A security protocol ({@code plain}, {@code ap}, {@code cp1}, {@code cp2}, or a third party's),
 * found with {@link java.util.ServiceLoader} on the class path and in {@code plugins/*.jar}.
 * Implementations must be stateless and have a public no-argument constructor; keys and
 * certificates are parsed once per agent by {@link #client} and {@link #server}.
 */
public interface SecurityPlugin {
    /** The value of {@code ferry.security.protocol} and of {@code protocol=} in HELLO: lower case, no spaces. */
    String id();

    /** One line for {@code ferry plugins}. */
    String description();

    /** The client side for one agent: called at start and after a configuration change. */
    ClientSecurity client(SecurityContext context) throws SecuritySetupException;

    /** The server side for one agent: called at start and after a configuration change. */
    ServerSecurity server(SecurityContext context) throws SecuritySetupException;
}
