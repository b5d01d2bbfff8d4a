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
 * ({@code <id hex> <epoch ms> <base64url name>}), forced to disk after each append, compacted
 * at start to the receipts younger than the retention. Thread-safe.
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

    private final Map<String, Receipt> receipts;
    private final FileChannel ledger;
    private final Clock clock;

    private Receipts(Map<String, Receipt> receipts, FileChannel ledger, Clock clock) {
        this.receipts = receipts;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Opens (creating) the ledger, dropping receipts older than {@code retention} and malformed lines. */
    public static Receipts open(Path file, Duration retention, Clock clock) throws IOException {
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
        FileChannel ledger = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
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

    /** Records that {@code id} was stored as {@code name}, durably (the ledger is forced). */
    public synchronized void record(byte[] id, String name) throws IOException {
        String idHex = HEX.formatHex(id);
        Receipt receipt = new Receipt(name, clock.millis());
        write(ledger, line(idHex, receipt));
        ledger.force(false);
        receipts.put(idHex, receipt);
    }

    public synchronized int size() {
        return receipts.size();
    }

    @Override
    public synchronized void close() throws IOException {
        ledger.close();
    }
}
