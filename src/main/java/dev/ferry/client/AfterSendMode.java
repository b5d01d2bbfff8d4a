package dev.ferry.client;

/** What {@link AfterSend} does with a delivered file (config: {@code after-send = delete | archive}). */
public enum AfterSendMode {
    /** Delete the source file. */
    DELETE,
    /** Move the source file into the archive folder, keeping its relative path. */
    ARCHIVE
}
