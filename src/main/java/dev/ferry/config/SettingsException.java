package dev.ferry.config;

/**
 * The configuration cannot be used: a file is missing or unreadable, a key is unknown, a value
 * is out of range. The message names the file and line, the key, the value and what is allowed.
 * The agent does not start (exit code 2).
 */
public final class SettingsException extends Exception {
    public SettingsException(String message) {
        super(message);
    }

    public SettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
