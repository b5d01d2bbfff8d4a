package dev.ferry.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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

    /** True when the file still has the size and modification time it settled with (links not followed). */
    public boolean unchanged() {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return now.size() == size && now.lastModifiedTime().toMillis() == mtimeMillis;
        } catch (IOException e) {
            return false;
        }
    }
}
