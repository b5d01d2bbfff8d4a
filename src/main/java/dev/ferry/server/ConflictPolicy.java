package dev.ferry.server;

/**
 * What the inbox does when a file arrives under a name that already exists there
 * (configuration values {@code rename}, {@code overwrite}, {@code reject}).
 */
public enum ConflictPolicy {
    /** Keep the existing file and store the new one as {@code name (1).ext}, {@code name (2).ext}, ... */
    RENAME,
    /** Replace the existing file atomically. */
    OVERWRITE,
    /** Refuse the new file and keep the existing one. */
    REJECT
}
