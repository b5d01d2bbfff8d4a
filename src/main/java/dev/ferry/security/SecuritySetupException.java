package dev.ferry.security;

/** A plugin could not start: a key or certificate file is missing or unreadable, a setting is wrong. */
public class SecuritySetupException extends Exception {
    public SecuritySetupException(String message) {
        super(message);
    }

    public SecuritySetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
