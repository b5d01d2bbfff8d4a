package dev.ferry.config;

/** {@code ferry.client.after-send}: what happens to a source file once the server confirmed it. */
public enum AfterSendMode {
    /** Remove it from the outbox. */
    DELETE,
    /** Move it to {@code ferry.client.archive-dir}, keeping its sub-folder. */
    ARCHIVE
}
