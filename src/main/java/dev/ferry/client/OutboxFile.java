package dev.ferry.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A regular file in the outbox that has settled, as handed over by {@link OutboxWatcher}.
 * An immutable value, safe to pass between threads.
 *
 * @param path         the file, under the outbox root
 * @param relativeName the path relative to the outbox root, with '/' separators
 * @param size         the size in bytes when it was seen settled (zero is valid)
 * @param mtimeMillis  the modification time when it was seen settled
 */
public record OutboxFile(Path path, String relativeName, long size, long mtimeMillis) {

    public OutboxFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(relativeName, "relativeName");
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " of " + path + " is negative");
        }
        if (relativeName.isEmpty() || relativeName.startsWith("/") || relativeName.endsWith("/")) {
            throw new IllegalArgumentException("relative name '" + relativeName + "' of " + path
                    + " must be a non-empty path relative to the outbox");
        }
        for (String segment : relativeName.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("relative name '" + relativeName + "' of " + path
                        + " has an empty, '.' or '..' segment");
            }
        }
    }

    /** Re-reads size and mtime (NOFOLLOW_LINKS); true when both are unchanged and it is still a regular file. */
    public boolean isUnchanged() {
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return now.isRegularFile() && now.size() == size && now.lastModifiedTime().toMillis() == mtimeMillis;
        } catch (IOException e) {
            return false;
        }
    }
}
