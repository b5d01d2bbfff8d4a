package dev.ferry.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file published in the inbox.
 *
 * @param path         where it is stored
 * @param relativeName the final name relative to the inbox root, with '/' separators (after any
 *                     rename on conflict)
 * @param size         its size in bytes
 */
public record StoredFile(Path path, String relativeName, long size) {
    public StoredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(relativeName, "relativeName");
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
    }
}
