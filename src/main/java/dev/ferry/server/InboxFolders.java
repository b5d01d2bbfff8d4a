package dev.ferry.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sub-folders of one inbox root: finds or creates the folders of a name without following
 * symbolic links, and forces folders to disk. Thread-safe: concurrent callers may create the same
 * folder, and concurrent forces of one folder are shared ({@link #forceShared}).
 */
final class InboxFolders {
    private static final Logger LOG = LoggerFactory.getLogger(InboxFolders.class);

    private final Path root;
    /** Folders being forced or waiting to be, with their counters; an entry lives while it has users. Guarded by itself. */
    private final Map<Path, Pending> pending = new HashMap<>();

    /** The forces of one folder: how many were asked for and how many the last completed force covered. */
    private static final class Pending {
        final Object forcing = new Object();
        int users;
        long requested;
        long covered;
    }

    /** @param root the inbox root, absolute and free of symbolic links ({@link Path#toRealPath}) */
    InboxFolders(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    /**
     * Returns the folder that will hold a file named {@code name}, creating the missing folders.
     *
     * @param folders the segments of {@code name} except the last
     * @param name    the whole relative name, for messages
     * @param created receives each folder this call created, outermost first
     */
    Path open(List<String> folders, String name, List<Path> created) throws IOException, InboxNameException {
        Path dir = root;
        for (int i = 0; i < folders.size(); i++) {
            Path next = dir.resolve(folders.get(i));
            String shown = String.join("/", folders.subList(0, i + 1));
            BasicFileAttributes attributes = attributesOrNull(next);
            if (attributes == null) {
                try {
                    Files.createDirectory(next);
                    created.add(next);
                } catch (FileAlreadyExistsException raced) {
                    attributes = attributesOrNull(next);
                    if (attributes == null) {
                        throw new IOException("folder " + next + " appeared and vanished while it was being created");
                    }
                }
            }
            if (attributes != null) {
                // A link in the path would let a name escape the inbox or write through into another
                // folder: refused, whatever the link points to.
                if (attributes.isSymbolicLink()) {
                    throw InboxNames.refused(name,
                            "folder '" + InboxNames.show(shown) + "' in the inbox is a symbolic link");
                }
                if (!attributes.isDirectory()) {
                    throw InboxNames.refused(name,
                            "'" + InboxNames.show(shown) + "' exists in the inbox and is not a folder");
                }
            }
            dir = next;
        }
        if (!dir.normalize().startsWith(root) || !dir.toRealPath().startsWith(root)) {
            throw InboxNames.refused(name, "folder resolves outside the inbox root " + root);
        }
        return dir;
    }

    /** Checks that {@code file}, a path built from validated segments, lies under the root. */
    Path inside(Path file, String name) throws InboxNameException {
        Path normalized = file.normalize();
        if (!normalized.startsWith(root) || normalized.equals(root)) {
            throw InboxNames.refused(name, "path resolves outside the inbox root " + root);
        }
        return file;
    }

    /** The attributes of {@code path} itself (a link is not followed), or null if nothing has that name. */
    static BasicFileAttributes attributesOrNull(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * As {@link #force}, shared between threads: returns once a force of {@code dir} that began
     * after this call has completed. Files published into one folder by several threads at once
     * thus share one flush of the folder (group commit) instead of one each.
     */
    void forceShared(Path dir) {
        Pending entry;
        long mine;
        synchronized (pending) {
            entry = pending.computeIfAbsent(dir, d -> new Pending());
            entry.users++;
            mine = ++entry.requested;
        }
        try {
            synchronized (entry.forcing) {
                long target;
                synchronized (pending) {
                    if (entry.covered >= mine) {
                        return;
                    }
                    // Every request made until now was made after its entry was linked: this force covers it.
                    target = entry.requested;
                }
                force(dir);
                synchronized (pending) {
                    entry.covered = target;
                }
            }
        } finally {
            synchronized (pending) {
                if (--entry.users == 0) {
                    pending.remove(dir);
                }
            }
        }
    }

    /**
     * Forces a folder's entries to disk, so a published name survives a crash. Some platforms
     * (Windows) refuse to open a folder as a channel; there the file system's own ordering is all
     * there is.
     */
    static void force(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("folder force refused dir={} reason={}", dir, e.toString());
        }
    }
}
