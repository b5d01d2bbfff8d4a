package dev.ferry.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.transfer.ReceivedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

/**
 * The audit trail: one JSON object per line in {@code inbox/.ferry/audit.log} for every file the
 * server stored, answered as a duplicate or refused. Each line is handed to the operating system
 * in one append as soon as the verdict is known, but not forced to disk: a power cut can lose the
 * last lines (the files themselves are forced). Never rotated or compacted by Ferry.
 *
 * <p>Fields, every one always present: {@code time} (ISO-8601, UTC), {@code outcome}
 * ({@code stored}, {@code duplicate}, {@code refused}), {@code name} (as sent), {@code stored_as}
 * (name in the inbox, or null), {@code size} (bytes, or null when not known), {@code sha256}
 * (hex, or null), {@code protocol}, {@code seed}, {@code client} (the certificate's name, or null),
 * {@code peer}, {@code status} and {@code reason} (of a refusal, or null), {@code ms}.
 *
 * <p>Thread-safe: connection threads call {@link #record} concurrently; lines never interleave.
 * A failed write is logged and the file's delivery goes on: the trail is a record, not a gate.
 */
public final class AuditLog implements Closeable {
    /** The file, under the inbox. */
    public static final String FILE_NAME = "audit.log";

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final Path file;
    private final FileChannel channel;
    private final Clock clock;
    private final JsonFactory json = new JsonFactory();
    private boolean failing;

    private AuditLog(Path file, FileChannel channel, Clock clock) {
        this.file = file;
        this.channel = channel;
        this.clock = clock;
    }

    /** Opens {@code file} for appending, creating it and its folder if needed. */
    public static AuditLog open(Path file, Clock clock) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return new AuditLog(file, channel, clock);
        } catch (IOException e) {
            throw new IOException("cannot open the audit log " + file + ": " + e.getMessage()
                    + " (the inbox's .ferry folder must be writable by the server)", e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends the line for {@code received}, which came from {@code peer}. */
    public void record(ReceivedFile received, String peer) {
        byte[] line;
        try {
            line = line(received, peer);
        } catch (IOException | RuntimeException e) {
            log.error("audit line not written file={} reason=\"cannot encode it: {}\"", received.name(), e.toString());
            return;
        }
        synchronized (this) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (failing) {
                    failing = false;
                    log.info("audit log writable again file={}", file);
                }
            } catch (IOException e) {
                // One ERROR per run of failures, not one per file: a full disk would flood the log.
                if (!failing) {
                    log.error("audit line not written file={} audit-log={} reason=\"{}\"; files are still"
                            + " received, the audit trail has a gap until it can be written", received.name(), file,
                            e.getMessage());
                }
                failing = true;
            }
        }
    }

    private byte[] line(ReceivedFile received, String peer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(320);
        try (JsonGenerator out = json.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("time", Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString());
            out.writeStringField("outcome", received.verdict().name().toLowerCase(Locale.ROOT));
            out.writeStringField("name", received.name());
            out.writeStringField("stored_as", received.storedAs());
            if (received.size() < 0) {
                out.writeNullField("size");
            } else {
                out.writeNumberField("size", received.size());
            }
            out.writeStringField("sha256", received.sha256());
            out.writeStringField("protocol", received.protocol());
            out.writeBooleanField("seed", received.seed());
            out.writeStringField("client", received.client());
            out.writeStringField("peer", peer);
            out.writeStringField("status", received.status() == null ? null : received.status().name());
            out.writeStringField("reason", received.reason());
            out.writeNumberField("ms", received.nanos() / 1_000_000);
            out.writeEndObject();
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
