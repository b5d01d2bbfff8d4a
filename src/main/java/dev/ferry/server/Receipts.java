package dev.ferry.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The receipt ledger: which file versions (COMMIT ids) the server has stored, and under which
 * name, so a file the client sends again after losing the acknowledgement is answered
 * {@code duplicate} instead of stored twice. An append-only text file, one line per receipt
 * ({@code <id hex> <epoch ms> <base64url name>}), compacted at start to the receipts younger
 * than the retention. Thread-safe.
 *
 * <p>Group commit: {@link #record} appends its line and returns once a force that began after
 * the append has succeeded. Receipts recorded while another thread forces the ledger are covered
 * together by the next single force, so concurrent commits share one flush instead of queueing
 * for one each. A receipt is found by {@link #find} only once it is durable. A failed force fails
 * every receipt it was to cover, also for the threads that waited for it, and is never followed by
 * trusting those lines: after a failed fsync the kernel may have dropped the dirty pages and a
 * second fsync can succeed without them (docs/GUARANTEES.md).
 *
 * <p>A receipt is written after the file is published and before the client is answered: a
 * crash between the two leaves a stored file without a receipt, which the client then sends
 * again and which is stored a second time (under another name). Writing it before publishing
 * would instead answer "duplicate" for a file that was never stored, losing it.
 */
public final class Receipts implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Receipts.class);
    private static final HexFormat HEX = HexFormat.of();

    private record Receipt(String name, long storedAtMillis) {
    }

    /** Opens the ledger for appending; tests substitute a channel whose force they control. */
    @FunctionalInterface
    interface LedgerOpener {
        FileChannel open(Path file) throws IOException;
    }

    // Guarded by this: the map of durable receipts, the lines written and not yet forced, and the
    // counters. Lines are numbered in the order they are written; "forced" and "failed" are the
    // highest line numbers a force covered, successfully or not.
    private final Map<String, Receipt> receipts;
    private final Map<Long, Map.Entry<String, Receipt>> unforced = new HashMap<>();
    private long written;
    private long forced;
    private long failed;
    /** Held by the one thread that forces the ledger; the others wait for it, then check whether it covered them. */
    private final Object forcing = new Object();
    private final FileChannel ledger;
    private final Clock clock;

    private Receipts(Map<String, Receipt> receipts, FileChannel ledger, Clock clock) {
        this.receipts = receipts;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Opens (creating) the ledger, dropping receipts older than {@code retention} and malformed lines. */
    public static Receipts open(Path file, Duration retention, Clock clock) throws IOException {
        return open(file, retention, clock, f -> FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    static Receipts open(Path file, Duration retention, Clock clock, LedgerOpener opener) throws IOException {
        Objects.requireNonNull(file, "file");
        long oldest = clock.millis() - retention.toMillis();
        Map<String, Receipt> live = new HashMap<>();
        int dropped = 0;
        if (Files.exists(file)) {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
                for (String line; (line = in.readLine()) != null; ) {
                    String[] fields = line.split(" ");
                    Receipt receipt = fields.length == 3 ? parse(fields) : null;
                    if (receipt == null || receipt.storedAtMillis() < oldest) {
                        dropped++;
                    } else {
                        live.put(fields[0], receipt);
                    }
                }
            }
        }
        // Compact: rewrite the live receipts, then replace the ledger atomically.
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel out = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Map.Entry<String, Receipt> entry : live.entrySet()) {
                write(out, line(entry.getKey(), entry.getValue()));
            }
            out.force(true);
        }
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        InboxFolders.force(file.getParent());
        FileChannel ledger = opener.open(file);
        log.info("receipts loaded file={} receipts={} expired-or-invalid={}", file, live.size(), dropped);
        return new Receipts(live, ledger, clock);
    }

    private static Receipt parse(String[] fields) {
        try {
            if (fields[0].length() != 64) {
                return null;
            }
            HEX.parseHex(fields[0]);
            String name = new String(Base64.getUrlDecoder().decode(fields[2]), StandardCharsets.UTF_8);
            return new Receipt(name, Long.parseLong(fields[1]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String line(String idHex, Receipt receipt) {
        return idHex + " " + receipt.storedAtMillis() + " "
                + Base64.getUrlEncoder().withoutPadding().encodeToString(receipt.name().getBytes(StandardCharsets.UTF_8))
                + "\n";
    }

    private static void write(FileChannel out, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** The name the file version {@code id} was stored under, if there is a receipt for it. */
    public synchronized Optional<String> find(byte[] id) {
        Receipt receipt = receipts.get(HEX.formatHex(id));
        return receipt == null ? Optional.empty() : Optional.of(receipt.name());
    }

    /**
     * Records that {@code id} was stored as {@code name}, durably: returns once the ledger has been
     * forced after this receipt was written (possibly by another thread, for several receipts).
     *
     * @throws IOException the line could not be written, or the force meant to cover it failed:
     *                     the receipt is not durable and must not be relied on
     */
    public void record(byte[] id, String name) throws IOException {
        durable(append(id, name));
    }

    /** Writes the receipt's line, not yet forced; returns its line number. */
    private synchronized long append(byte[] id, String name) throws IOException {
        String idHex = HEX.formatHex(id);
        Receipt receipt = new Receipt(name, clock.millis());
        write(ledger, line(idHex, receipt));
        long number = ++written;
        unforced.put(number, Map.entry(idHex, receipt));
        return number;
    }

    /** Returns once line {@code number} is forced; forces the ledger if no force covered it yet. */
    private void durable(long number) throws IOException {
        synchronized (forcing) {
            long target;
            synchronized (this) {
                if (number <= failed) {
                    throw notDurable(number);
                }
                if (number <= forced) {
                    return;
                }
                // Every line written until now goes into this force, those of other threads too.
                target = written;
            }
            try {
                ledger.force(false);
            } catch (IOException e) {
                synchronized (this) {
                    // Lines written while the force ran may share its dropped pages: none of them is trusted.
                    failed = written;
                    unforced.clear();
                }
                throw e;
            }
            synchronized (this) {
                for (long line = forced + 1; line <= target; line++) {
                    Map.Entry<String, Receipt> receipt = unforced.remove(line);
                    if (receipt != null) {
                        receipts.put(receipt.getKey(), receipt.getValue());
                    }
                }
                forced = target;
            }
        }
    }

    private static IOException notDurable(long number) {
        return new IOException("the force of the receipt ledger that was to cover receipt " + number
                + " failed; it is not trusted");
    }

    public synchronized int size() {
        return receipts.size();
    }

    @Override
    public synchronized void close() throws IOException {
        ledger.close();
    }
}
