package dev.ferry.transfer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file to push, as the client saw it when it settled.
 *
 * @param path where it is now
 * @param relativeName its path under the outbox with {@code /} separators; the name it gets in the inbox
 * @param size its size when it settled
 * @param mtimeMillis its modification time when it settled
 */
public record SourceFile(Path path, String relativeName, long size, long mtimeMillis) {
    public SourceFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(relativeName, "relativeName");
    }
}
