package dev.ferry.client;

import dev.ferry.config.AfterSendMode;
import dev.ferry.transfer.KillPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a source file after the server's verified answer: delete or archive it when
 * delivered, move it aside with a ".reason" note when permanently refused.
 *
 * <p>Called by the sender workers, from any thread (it holds no state). Files are never overwritten:
 * a name already taken in the archive or failed folder gets " (1)", " (2)", ... before its extension.
 * A file whose size or mtime changed since it was handed over is left in the outbox, because what the
 * server received is no longer what the file holds.
 */
public final class AfterSend {

    private static final Logger log = LoggerFactory.getLogger(AfterSend.class);
    private static final String REASON_SUFFIX = ".reason";
    private static final int MAX_NUMBER = 10_000;

    private final Path outbox;
    private final AfterSendMode mode;
    private final Path archiveDir;
    private final Path failedDir;

    public AfterSend(Path outbox, AfterSendMode mode, Path archiveDir, Path failedDir) {
        this.outbox = Objects.requireNonNull(outbox, "outbox").toAbsolutePath().normalize();
        this.mode = Objects.requireNonNull(mode, "mode");
        this.archiveDir = Objects.requireNonNull(archiveDir, "archiveDir").toAbsolutePath().normalize();
        this.failedDir = Objects.requireNonNull(failedDir, "failedDir").toAbsolutePath().normalize();
    }

    /** After a verified STATUS 0: deletes the file, or moves it into the archive keeping its relative path. */
    public void delivered(OutboxFile file) throws IOException {
        KillPoint.CLIENT_BEFORE_DELETE.reach();
        Path source = source(file);
        if (!stillAsSent(file, source)) {
            return;
        }
        if (mode == AfterSendMode.DELETE) {
            if (Files.deleteIfExists(source)) {
                log.debug("deleted path={}", source);
            } else {
                logGone(source);
            }
            return;
        }
        Path target = moveInto(archiveDir, source);
        if (target != null) {
            log.debug("archived path={} to={}", source, target);
        }
    }

    /**
     * Permanent refusal: moves the file into the failed folder keeping its relative path and writes
     * "&lt;name&gt;.reason" beside it (UTF-8: time, reason and what to do).
     */
    public void failed(OutboxFile file, String reason) throws IOException {
        Objects.requireNonNull(reason, "reason");
        Path source = source(file);
        if (!stillAsSent(file, source)) {
            return;
        }
        Path target = moveInto(failedDir, source);
        if (target == null) {
            return;
        }
        Path note = target.resolveSibling(target.getFileName() + REASON_SUFFIX);
        String text = "time: " + Instant.now() + "\n"
                + "file: " + file.relativeName() + "\n"
                + "reason: " + reason + "\n"
                + "what to do: fix the cause and move the file back into the outbox (" + outbox + ")\n";
        Files.writeString(note, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        log.warn("moved to failed path={} to={} reason=\"{}\"", source, target, reason);
    }

    private Path source(OutboxFile file) {
        Objects.requireNonNull(file, "file");
        Path source = file.path().toAbsolutePath().normalize();
        if (!source.startsWith(outbox) || source.equals(outbox)) {
            throw new IllegalArgumentException("file " + source + " is not inside the outbox " + outbox);
        }
        return source;
    }

    private boolean stillAsSent(OutboxFile file, Path source) {
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            logGone(source);
            return false;
        }
        if (!file.isUnchanged()) {
            log.warn("left in outbox path={} reason=\"changed since it was handed over; it will be sent again\"", source);
            return false;
        }
        return true;
    }

    /** Moves source to the same relative path under dir, numbering the name if taken; null if the source vanished. */
    private Path moveInto(Path dir, Path source) throws IOException {
        Path wanted = dir.resolve(outbox.relativize(source));
        Files.createDirectories(wanted.getParent());
        String name = wanted.getFileName().toString();
        for (int n = 0; n <= MAX_NUMBER; n++) {
            Path target = n == 0 ? wanted : wanted.resolveSibling(numbered(name, n));
            // A leftover "<name>.reason" also makes the name taken, so a note never describes another file.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(target.resolveSibling(target.getFileName() + REASON_SUFFIX), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.move(source, target);
                return target;
            } catch (FileAlreadyExistsException e) {
                log.debug("name taken meanwhile path={}", target);
            } catch (NoSuchFileException e) {
                if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                logGone(source);
                return null;
            }
        }
        throw new IOException("no free name for " + wanted + " after " + MAX_NUMBER
                + " numbered names; clean up " + wanted.getParent());
    }

    /** "report.pdf" becomes "report (2).pdf"; ".profile" and "README" get the number at the end. */
    static String numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return name + " (" + n + ")";
        }
        return name.substring(0, dot) + " (" + n + ")" + name.substring(dot);
    }

    private static void logGone(Path source) {
        log.warn("source already gone path={}", source);
    }
}
