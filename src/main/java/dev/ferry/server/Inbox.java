package dev.ferry.server;

import dev.ferry.config.ConflictPolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox folder: incoming files are written to temporary files in a hidden work folder
 * ({@code .ferry/tmp}, on the inbox's own file system), forced to disk and published under their
 * validated name by an atomic link or move, so readers of the inbox never see a partial file.
 *
 * <p>Thread-safe: the connections of a server share one instance. One server process owns an inbox
 * root: opening a root deletes the temporary files found in its work folder.
 */
public final class Inbox {
    /** The hidden work folder in the inbox root; never inbox content, and refused as a first name segment. */
    public static final String WORK_DIR = ".ferry";

    /** Highest number tried for {@code name (n).ext} before a conflict is refused. */
    static final int MAX_RENAMES = 9_999;

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final String TEMP_SUFFIX = ".part";
    private static final String COMMITTING_SUFFIX = ".committing";

    private final Path root;
    private final Path tempDir;
    private final ConflictPolicy onConflict;
    private final InboxFolders folders;
    private final SecureRandom random = new SecureRandom();
    /** Serialises check-then-move publication, used where the file system has no hard links. */
    private final Object moveLock = new Object();
    private volatile boolean hardLinks;

    /** Opens (creating if needed) the inbox at {@code root} and removes temporary files a crashed server left. */
    public Inbox(Path root, ConflictPolicy onConflict) throws IOException {
        this(root, onConflict, true);
    }

    /** @param hardLinks false to publish by check-and-move from the start, as on file systems without hard links */
    Inbox(Path root, ConflictPolicy onConflict, boolean hardLinks) throws IOException {
        Objects.requireNonNull(root, "root");
        this.onConflict = Objects.requireNonNull(onConflict, "onConflict");
        this.root = Files.createDirectories(root).toRealPath();
        this.tempDir = this.root.resolve(WORK_DIR).resolve("tmp");
        this.folders = new InboxFolders(this.root);
        this.hardLinks = hardLinks;
        Files.createDirectories(tempDir);
        for (Path dir : List.of(tempDir.getParent(), tempDir)) {
            if (Files.isSymbolicLink(dir)) {
                throw new IOException("work folder " + dir
                        + " is a symbolic link; remove it so the inbox can create its own");
            }
        }
        removeStaleTempFiles();
    }

    public Path root() {
        return root;
    }

    /**
     * Starts a new incoming file for a validated relative name.
     *
     * @param segments the name as returned by {@link InboxNames#checkRelativePath} or a single
     *                 {@link InboxNames#lastSegment}
     * @return the file to write; the caller commits or closes it
     */
    public IncomingFile begin(List<String> segments) throws IOException {
        List<String> name = List.copyOf(segments);
        InboxNames.requireValid(name);
        byte[] id = new byte[16];
        random.nextBytes(id);
        Path temp = tempDir.resolve(HexFormat.of().formatHex(id) + TEMP_SUFFIX);
        // CREATE_NEW (O_EXCL) neither follows nor reuses anything already at that name.
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new IncomingFile(this, name, temp, channel);
    }

    /**
     * Continues (or starts) a large file kept for resume: the data goes to the claimed partial
     * file, from the offset it already holds.
     */
    public IncomingFile adopt(List<String> segments, PartialFiles.Partial partial) {
        List<String> name = List.copyOf(segments);
        InboxNames.requireValid(name);
        return new IncomingFile(this, name, partial);
    }

    /** A file published before a crash whose receipt may be missing (see {@link #recoverCommitted()}). */
    public record Recovered(String receipt, String relativeName, Path marker) {
    }

    /**
     * Renames a forced temporary file to {@code <receipt>.<random>.committing} before it is
     * published: if the server dies after publishing and before recording the receipt, the next
     * start finds the marker still linked to the published file and records the receipt then.
     */
    Path markCommitting(Path temp, String receipt) throws IOException {
        byte[] random = new byte[8];
        this.random.nextBytes(random);
        Path marker = tempDir.resolve(receipt + "." + HexFormat.of().formatHex(random) + COMMITTING_SUFFIX);
        return Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * At start: the files published by a run that died before recording their receipts. A
     * marker that is still a hard link of a published file is matched to it by its file key; a
     * marker that was never published is removed. Call {@link #forget} once each is recorded.
     */
    public List<Recovered> recoverCommitted() throws IOException {
        Map<Object, Path> markers = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempDir, "*" + COMMITTING_SUFFIX)) {
            for (Path marker : entries) {
                Object links = Files.getAttribute(marker, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                if (links instanceof Integer count && count > 1) {
                    markers.put(Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey(), marker);
                } else {
                    deleteTemp(marker);
                }
            }
        }
        List<Recovered> recovered = new ArrayList<>();
        if (markers.isEmpty()) {
            return recovered;
        }
        Path work = root.resolve(WORK_DIR);
        try (var files = Files.walk(root)) {
            files.filter(p -> !p.startsWith(work)).forEach(p -> {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    Path marker = attributes.isRegularFile() ? markers.remove(attributes.fileKey()) : null;
                    if (marker != null) {
                        String receipt = marker.getFileName().toString();
                        recovered.add(new Recovered(receipt.substring(0, receipt.indexOf('.')),
                                root.relativize(p).toString().replace('\\', '/'), marker));
                    }
                } catch (IOException e) {
                    LOG.warn("inbox file not checked file={} reason={}", p, e.toString());
                }
            });
        }
        markers.values().forEach(Inbox::deleteTemp);
        return recovered;
    }

    /** Removes a commit marker once its receipt is recorded (the published file stays). */
    public void forget(Path marker) {
        deleteTemp(marker);
    }

    /** Publishes a forced temporary file under {@code segments} following the conflict policy. */
    StoredFile publish(Path temp, List<String> segments, long size) throws IOException, InboxNameException {
        String name = String.join("/", segments);
        List<Path> created = new ArrayList<>();
        Path parent = folders.open(segments.subList(0, segments.size() - 1), name, created);
        String last = segments.get(segments.size() - 1);
        Path published = onConflict == ConflictPolicy.OVERWRITE
                ? publishReplacing(temp, parent, last, name)
                : publishNew(temp, parent, last, name);
        Set<Path> touched = new LinkedHashSet<>();
        touched.add(parent);
        for (int i = created.size() - 1; i >= 0; i--) {
            touched.add(created.get(i).getParent());
        }
        touched.forEach(folders::forceShared);
        String relativeName = name.substring(0, name.length() - last.length()) + published.getFileName();
        LOG.debug("published name={} stored={} bytes={}", InboxNames.show(name), InboxNames.show(relativeName), size);
        return new StoredFile(published, relativeName, size);
    }

    private Path publishNew(Path temp, Path parent, String last, String name)
            throws IOException, InboxNameException {
        String folderPrefix = name.substring(0, name.length() - last.length());
        for (int n = 0; n <= MAX_RENAMES; n++) {
            String candidate = n == 0 ? last : numbered(last, n);
            if (n > 0) {
                checkRenamed(name, folderPrefix + candidate);
            }
            Path target = folders.inside(parent.resolve(candidate), name);
            if (placeNew(temp, target)) {
                return target;
            }
            if (onConflict == ConflictPolicy.REJECT) {
                throw InboxNames.refused(name, "it already exists in the inbox (on-conflict = reject)");
            }
        }
        throw InboxNames.refused(name, "it already exists in the inbox, and so do its numbered copies (1) to ("
                + MAX_RENAMES + ") (on-conflict = rename)");
    }

    private static void checkRenamed(String name, String renamed) throws InboxNameException {
        try {
            InboxNames.checkRelativePath(renamed);
        } catch (InboxNameException e) {
            throw InboxNames.refused(name, "it already exists in the inbox and the renamed copy is refused too ("
                    + e.getMessage() + ") (on-conflict = rename)");
        }
    }

    /** Publishes {@code temp} as {@code target} unless something has that name; false if it has. */
    private boolean placeNew(Path temp, Path target) throws IOException {
        if (!hardLinks) {
            return moveIfAbsent(temp, target);
        }
        try {
            // link(2) is atomic and fails if the name exists, whether file, folder or symbolic link:
            // the new file never replaces or writes through anything.
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (AccessDeniedException | NoSuchFileException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // FAT, exFAT and some network file systems have no hard links (EPERM, EOPNOTSUPP).
            boolean placed = moveIfAbsent(temp, target);
            if (hardLinks) {
                hardLinks = false;
                LOG.info("hard links refused, publishing by check and move root={} reason={}", root, e.toString());
            }
            return placed;
        }
        if (!temp.getFileName().toString().endsWith(COMMITTING_SUFFIX)) {
            // A commit marker stays linked until the receipt is recorded (forget).
            deleteTemp(temp);
        }
        return true;
    }

    private boolean moveIfAbsent(Path temp, Path target) throws IOException {
        // Without link(2) there is no atomic "create if absent"; the lock makes check-and-move atomic
        // among this server's connections, and ATOMIC_MOVE (rename(2)) keeps the file whole.
        synchronized (moveLock) {
            if (InboxFolders.attributesOrNull(target) != null) {
                return false;
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private Path publishReplacing(Path temp, Path parent, String last, String name)
            throws IOException, InboxNameException {
        Path target = folders.inside(parent.resolve(last), name);
        BasicFileAttributes existing = InboxFolders.attributesOrNull(target);
        if (existing != null && existing.isSymbolicLink()) {
            throw InboxNames.refused(name,
                    "it is a symbolic link in the inbox, which is never replaced (on-conflict = overwrite)");
        }
        if (existing != null && existing.isDirectory()) {
            throw InboxNames.refused(name, "it is a folder in the inbox (on-conflict = overwrite)");
        }
        try {
            // rename(2) replaces the old file in one step; a symbolic link appearing meanwhile would be
            // replaced, not followed.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the inbox file system cannot move " + temp + " to " + target
                    + " atomically; the work folder must be on the inbox's file system", e);
        }
        return target;
    }

    /** {@code report.pdf} -> {@code report (n).pdf}; the number goes before the last extension. */
    static String numbered(String segment, int n) {
        int dot = segment.lastIndexOf('.');
        if (dot <= 0) {
            return segment + " (" + n + ")";
        }
        return segment.substring(0, dot) + " (" + n + ")" + segment.substring(dot);
    }

    private static void deleteTemp(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("temp file not removed temp={} reason={}", temp, e.toString());
        }
    }

    private void removeStaleTempFiles() throws IOException {
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempDir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        || entry.getFileName().toString().endsWith(COMMITTING_SUFFIX)) {
                    continue;
                }
                try {
                    Files.delete(entry);
                    count++;
                } catch (IOException e) {
                    LOG.warn("stale temp file not removed file={} reason={}", entry, e.toString());
                }
            }
        }
        LOG.info("stale temp files removed count={} dir={}", count, tempDir);
    }
}
