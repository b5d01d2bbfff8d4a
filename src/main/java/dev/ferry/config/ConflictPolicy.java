package dev.ferry.config;

/** {@code ferry.server.on-conflict}: what the inbox does when a name is taken. */
public enum ConflictPolicy {
    /** Keep both: {@code report.pdf} arrives as {@code report (1).pdf}. */
    RENAME,
    /** Replace the old file atomically. */
    OVERWRITE,
    /** Refuse the new file (BAD_REQUEST); the client moves it to its failed folder. */
    REJECT
}
