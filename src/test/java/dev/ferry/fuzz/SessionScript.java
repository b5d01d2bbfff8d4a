package dev.ferry.fuzz;

import dev.ferry.config.ConflictPolicy;
import dev.ferry.transfer.CommitTrailer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns fuzzer choices into the bytes a native {@code plain} client sends: HELLO, then FILE headers
 * with chosen names, sizes and times, DATA blocks, COMMIT trailers (right or wrong), CLOSE, frames
 * that do not belong, and a cut-off end. Valid-looking frames carry the fuzzer past the framing
 * into the session's states. It remembers what it sent for each FILE, so that the server's answers
 * and the inbox can be checked against it.
 *
 * <p>Input layout (see {@link FuzzInput}): one byte of settings (bits 0-1 the inbox's conflict
 * policy, bits 2-3 the HELLO), then operations of one byte each ({@link Op}, modulo their number)
 * followed by their own choices, until the input ends.
 */
final class SessionScript {
    /** The largest DATA block the fuzzed server accepts ({@code max-block}). */
    static final int MAX_BLOCK = 1024;
    /** The largest file the fuzzed server accepts ({@code max-file-size}). */
    static final long MAX_FILE_SIZE = 64 * 1024;

    static final long FILE = 0;
    static final long DATA = 1;
    static final long CLOSE = 2;
    static final long HELLO = 5;
    static final long COMMIT = 6;

    /** The operations, in the order of their byte values. */
    enum Op { FILE, DATA, COMMIT, BAD_COMMIT, WHOLE_FILE, RAW_HEADER, ALIEN_FRAME, CLOSE, CUT, FINISH_FILE }

    /** Names that exercise the inbox's rules: sub-folders, conflicts, and every kind of refusal. */
    static final List<String> NAMES = List.of(
            "a.txt", "dir/b.bin", "dir", "dir/b.bin/c", "sub/deeper/c.dat", "report.pdf", "report (1).pdf",
            "../escape", "/absolute", "C:/drive", ".ferry/tmp/x", ".FERRY", "x/./y", "x//y", "trailing/",
            "con.txt", "a\\b", "", "dot.", "space ", "\uff46\uff55\uff4c\uff4c\uff0f\uff57\uff49\uff44\uff54\uff48",
            "e\u0301.txt", "\u202eevil.txt", "tab\there", "new\nline", "x".repeat(256), "d/".repeat(2100) + "f",
            "\ud83d\ude00.txt", "nul\u0000.txt", "a:b");

    /**
     * What the client sent for one FILE frame: the DATA up to its first COMMIT, and that COMMIT's
     * digest. The server ends a file at its first COMMIT, whatever came before (stored, refused,
     * or dropped after a refusal), so later frames belong to no file.
     */
    static final class SentFile {
        final String name;
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        byte[] committedDigest;

        SentFile(String name) {
            this.name = name;
        }

        boolean committed() {
            return committedDigest != null;
        }

        byte[] contentDigest() {
            return sha256(content.toByteArray());
        }
    }

    final ConflictPolicy policy;
    /** The HELLO is the canonical {@code ferry=1, protocol=plain}: the server must accept it. */
    final boolean acceptableHello;
    final byte[] clientBytes;
    final List<SentFile> files;

    private SessionScript(ConflictPolicy policy, boolean acceptableHello, byte[] clientBytes, List<SentFile> files) {
        this.policy = policy;
        this.acceptableHello = acceptableHello;
        this.clientBytes = clientBytes;
        this.files = files;
    }

    static SessionScript generate(byte[] input) {
        return new Writer(new FuzzInput(input)).write();
    }

    private static final class Writer {
        private final FuzzInput in;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<SentFile> files = new ArrayList<>();
        private SentFile current;
        private long announced;

        Writer(FuzzInput in) {
            this.in = in;
        }

        SessionScript write() {
            int settings = in.next();
            ConflictPolicy policy = switch (settings & 3) {
                case 1 -> ConflictPolicy.OVERWRITE;
                case 2 -> ConflictPolicy.REJECT;
                default -> ConflictPolicy.RENAME;
            };
            int hello = settings >> 2 & 3;
            frame(HELLO, switch (hello) {
                case 0 -> text("ferry=1\nprotocol=plain\n");
                case 1 -> text("ferry=1\nprotocol=plain\nclient=fuzz\nunknown-key=is ignored\n");
                case 2 -> in.nextBytes(in.next());
                default -> text(List.of("ferry=2\nprotocol=plain\n", "ferry=1\nprotocol=cp2\n", "protocol=plain\n",
                        "ferry=1\n", "ferry=1\nferry=1\nprotocol=plain\n", "ferry=1\r\nprotocol=plain\r\n")
                        .get(in.next() % 6));
            });
            int helloEnd = out.size();
            boolean cut = false;
            while (in.hasMore() && !cut) {
                switch (Op.values()[in.next() % Op.values().length]) {
                    case FILE -> file(name(), size(), mtime());
                    case DATA -> data(in.nextU16() % (MAX_BLOCK + 64), in.next());
                    case COMMIT -> commit(received(), digest(), CommitTrailer.LENGTH);
                    case BAD_COMMIT -> badCommit();
                    case WHOLE_FILE -> wholeFile();
                    case RAW_HEADER -> {
                        current = new SentFile(null);
                        files.add(current);
                        frame(FILE, in.nextBytes(in.next()));
                    }
                    case ALIEN_FRAME -> alienFrame();
                    case CLOSE -> u64(CLOSE);
                    case CUT -> cut = true;
                    case FINISH_FILE -> {
                        // Beyond max-file-size the server drops the DATA anyway: a little past it is enough.
                        long left = Math.min(Math.max(0, announced - received()), MAX_FILE_SIZE + MAX_BLOCK);
                        blocks(left, 1 + in.next() * 4, in.next());
                        commit(received(), digest(), CommitTrailer.LENGTH);
                    }
                }
            }
            byte[] bytes = out.toByteArray();
            if (cut) {
                // The cut spares HELLO, so that a valid one still gets its answer.
                bytes = Arrays.copyOf(bytes, Math.max(helloEnd, bytes.length - 1 - in.next()));
            }
            return new SessionScript(policy, hello < 2, bytes, files);
        }

        private void file(String name, String size, String mtime) {
            current = new SentFile(name);
            files.add(current);
            try {
                announced = Long.parseLong(size);
            } catch (NumberFormatException e) {
                announced = 0;
            }
            // Written by hand, not with KeyValues.format, so that names with line breaks reach the server.
            String header = "name=" + name + "\nsize=" + size + "\n" + (mtime == null ? "" : "mtime=" + mtime + "\n");
            frame(FILE, text(header));
        }

        private void wholeFile() {
            String name = name();
            int size = in.nextU16() % 3000;
            file(name, Integer.toString(size), mtime());
            blocks(size, 1 + in.next() * 4, in.next());
            commit(size, digest(), CommitTrailer.LENGTH);
        }

        private void blocks(long size, int block, int seed) {
            for (long left = size; left > 0; left -= block) {
                data((int) Math.min(block, left), seed++);
            }
        }

        private void data(int length, int seed) {
            byte[] block = new byte[length];
            for (int i = 0; i < length; i++) {
                block[i] = (byte) (seed + i * 31);
            }
            if (current != null && !current.committed()) {
                current.content.writeBytes(block);
            }
            frame(DATA, block);
        }

        private void badCommit() {
            byte[] digest = digest();
            long size = received();
            switch (in.next() % 6) {
                case 0 -> digest[in.next() % 32] ^= (byte) (1 << in.next() % 8);
                case 1 -> size++;
                case 2 -> size = in.nextLong();
                case 3 -> {
                    commit(size, digest, CommitTrailer.LENGTH - 1 - in.next() % CommitTrailer.LENGTH);
                    return;
                }
                case 4 -> {
                    commit(size, digest, CommitTrailer.LENGTH + 1 + in.next());
                    return;
                }
                default -> size = Math.max(0, size - 1);
            }
            commit(size, digest, CommitTrailer.LENGTH);
        }

        private void commit(long size, byte[] digest, int length) {
            byte[] trailer = Arrays.copyOf(ByteBuffer.allocate(CommitTrailer.LENGTH).putLong(size).put(digest)
                    .put(new byte[32]).array(), Math.max(0, length));
            if (current != null && !current.committed()) {
                // A trailer of the wrong length is a protocol error: no file is stored after it.
                current.committedDigest = length == CommitTrailer.LENGTH ? digest.clone() : new byte[0];
            }
            frame(COMMIT, trailer);
        }

        private void alienFrame() {
            long mode = new long[] {3, 4, HELLO, 7, 8, 255, -1}[in.next() % 7];
            if (in.next() % 2 == 0) {
                frame(mode, in.nextBytes(in.next()));
            } else {
                u64(mode).u64(in.nextLong());
            }
        }

        private long received() {
            return current == null ? 0 : current.content.size();
        }

        private byte[] digest() {
            return current == null ? new byte[32] : current.contentDigest();
        }

        private String name() {
            int choice = in.next();
            if (choice < NAMES.size()) {
                return NAMES.get(choice);
            }
            // Any bytes as UTF-8: malformed sequences become U+FFFD, which the inbox must refuse.
            return new String(in.nextBytes(choice - NAMES.size()), StandardCharsets.UTF_8);
        }

        private String size() {
            return switch (in.next() % 8) {
                case 0 -> Long.toString(MAX_FILE_SIZE + 1);
                case 1 -> Long.toString(Long.MAX_VALUE);
                case 2 -> "-1";
                case 3 -> "12abc";
                default -> Integer.toString(in.nextU16() % 3000);
            };
        }

        private String mtime() {
            return switch (in.next() % 7) {
                case 0 -> null;
                case 1 -> "-1";
                case 2 -> Long.toString(Long.MAX_VALUE);
                case 3 -> Long.toString(Long.MIN_VALUE);
                case 4 -> "soon";
                default -> Long.toString(in.nextLong() & 0x7fff_ffff_ffffL);
            };
        }

        private void frame(long mode, byte[] payload) {
            u64(mode).u64(payload.length);
            out.writeBytes(payload);
        }

        private Writer u64(long value) {
            out.writeBytes(ByteBuffer.allocate(8).putLong(value).array());
            return this;
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
