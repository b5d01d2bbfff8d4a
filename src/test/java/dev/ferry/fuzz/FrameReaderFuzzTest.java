package dev.ferry.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.security.cp2.Fernet;
import dev.ferry.transfer.CommitTrailer;
import dev.ferry.transfer.ReceptionLimits;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.Mode;
import dev.ferry.wire.ProtocolException;
import dev.ferry.wire.Reply;
import dev.ferry.wire.Transcript;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds arbitrary bytes to {@link FrameReader} under the limits of every session phase, reading
 * frames, REPLYs and sized fields the way the server and the client do, until the end of the
 * stream or a {@link ProtocolException}. Any other exception fails, and so does an allocation
 * beyond the limit that applies (docs/FUZZING.md).
 *
 * <p>Input layout (see {@link FuzzInput}): byte 0 the phase; bytes 1-8 the limit of each mode in
 * the {@code SMALL} phase (255: not allowed); bytes 9-12 the script, three bits per read; bytes
 * 13-14 where the stream stalls once with a read timeout (0: never, n: before byte n - 1); byte 15
 * the piece size for streamed bodies; the rest is the wire.
 */
class FrameReaderFuzzTest {
    /** Larger payloads are read in pieces, as the server reads DATA, never into one array. */
    private static final int ARRAY_LIMIT = ReceptionLimits.MAX_HANDSHAKE;
    /** Payload limits on the client side: REPLY (Pusher) and the seed AUTH answer's signature. */
    private static final int MAX_REPLY = 64 * 1024;
    private static final int MAX_SIGNATURE = 4096;
    /** What one read may allocate besides its payload: exception messages and stack traces. */
    private static final long ALLOCATION_SLACK = 64 * 1024;
    /** The AES-GCM tag that cp2 adds to every sealed payload. */
    private static final int SEAL_OVERHEAD = 16;

    private enum Phase { SMALL, SEED_FIRST_FRAME, NATIVE_HANDSHAKE, NATIVE_FILES, CLIENT }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Takes every error path of the reader once, unchecked: the first run of a string concatenation
     * or a class allocates far more than any later one, which the allocation check would blame on
     * whichever input happened to come first.
     */
    @BeforeAll
    static void warmUp() throws IOException {
        long huge = 1L << 40;
        byte[][] wires = {
            input(Phase.SMALL, 0, 0, u64(9, 0)),
            input(Phase.CLIENT, 0, 0, u64(Mode.CLIENT_AUTH.code(), 1)),
            input(Phase.SMALL, 0, 0, u64(Mode.FILE.code(), huge)),
            input(Phase.SEED_FIRST_FRAME, 0, 0, u64(Mode.DATA.code(), huge)),
            input(Phase.NATIVE_FILES, 0, 0, u64(Mode.COMMIT.code(), huge)),
            input(Phase.NATIVE_FILES, 0, 0, u64(Mode.FILE.code(), huge)),
            input(Phase.SEED_FIRST_FRAME, 0, 0, u64(Mode.FILE.code(), 5)),
            input(Phase.SEED_FIRST_FRAME, 0, 1, u64(Mode.CLOSE.code())),
            input(Phase.SEED_FIRST_FRAME, 0, 4, u64(Mode.CLOSE.code())),
            input(Phase.CLIENT, 2, 0, u64(9, 0)),
            input(Phase.CLIENT, 2, 0, u64(0, huge)),
            input(Phase.CLIENT, 2, 1, u64(0, 0)),
            input(Phase.CLIENT, 3, 0, u64(huge)),
        };
        for (byte[] wire : wires) {
            read(wire, false);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void readsAnyBytesAsFramesOrAProtocolError(byte[] input) throws IOException {
        read(input, true);
    }

    private static void read(byte[] input, boolean checkAllocations) throws IOException {
        FuzzInput choices = new FuzzInput(input);
        Phase phase = Phase.values()[choices.next() % Phase.values().length];
        byte[] small = choices.nextBytes(8);
        long script = Integer.toUnsignedLong(choices.nextU16() << 16 | choices.nextU16());
        int stallAt = choices.nextU16() - 1;
        int piece = 1 + choices.next() * 257;
        byte[] wire = choices.rest();

        new Run(wire, small, stallAt, piece, checkAllocations).readAll(phase, script);
    }

    /** An input whose script repeats {@code op}. */
    private static byte[] input(Phase phase, int op, int stall, byte[] wire) {
        int script = 0;
        for (int i = 0; i < 10; i++) {
            script |= op << (3 * i);
        }
        return ByteBuffer.allocate(16 + wire.length).put((byte) phase.ordinal()).put(new byte[8]).putInt(script)
                .putShort((short) stall).put((byte) 0).put(wire).array();
    }

    private static byte[] u64(long... words) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * words.length);
        for (long word : words) {
            buffer.putLong(word);
        }
        return buffer.array();
    }

    /** One pass over the wire, checking every value read against the bytes at the same place. */
    private static final class Run {
        private final byte[] wire;
        private final byte[] small;
        private final int stallAt;
        private final byte[] pieceBuffer;
        private final boolean checkAllocations;
        private final Transcript transcript = new Transcript();
        private final FrameReader reader;
        private FrameLimits limits;
        private int position;
        private long spent;

        Run(byte[] wire, byte[] small, int stallAt, int piece, boolean checkAllocations) {
            this.wire = wire;
            this.checkAllocations = checkAllocations;
            this.small = small;
            this.stallAt = stallAt;
            this.pieceBuffer = new byte[piece];
            this.reader = new FrameReader(new StallingStream(wire, stallAt), FrameLimits.none());
            reader.transcript(transcript);
        }

        void readAll(Phase first, long script) throws IOException {
            Phase phase = first;
            limits = limits(phase);
            reader.limits(limits);
            try {
                for (int step = 0; ; step++) {
                    int op = (int) (script >>> (3 * (step % 10))) & 7;
                    if (op == 4) {
                        phase = Phase.values()[(phase.ordinal() + 1) % Phase.values().length];
                        limits = limits(phase);
                        reader.limits(limits);
                    }
                    boolean more = switch (op) {
                        case 1 -> frame(true);
                        case 2 -> reply();
                        case 3 -> sized();
                        default -> frame(false);
                    };
                    if (!more) {
                        return;
                    }
                }
            } catch (ProtocolException expected) {
                // The peer broke the protocol: the connection would be closed here.
            }
        }

        /** A client frame; false at the clean end of the stream. */
        private boolean frame(boolean streamed) throws IOException {
            spent = 0;
            long budget = ALLOCATION_SLACK;
            try {
                Mode mode = readMode();
                if (mode == null) {
                    assertCleanEnd();
                    return false;
                }
                assertWord(mode.code());
                if (!mode.hasPayload()) {
                    return true;
                }
                FrameLimits.Limit limit = limits.limit(mode);
                if (streamed || limit == null || limit.maxBytes() > ARRAY_LIMIT) {
                    int length = measured(() -> reader.readLength(mode));
                    assertLength(length, limit, mode);
                    for (int left = length; left > 0; ) {
                        int n = Math.min(left, pieceBuffer.length);
                        measured(() -> {
                            reader.readBody(pieceBuffer, 0, n, mode.toString());
                            return null;
                        });
                        assertBytes(pieceBuffer, n);
                        left -= n;
                    }
                } else {
                    budget += limit.maxBytes();
                    byte[] payload = measured(() -> reader.readPayload(mode));
                    assertLength(payload.length, limit, mode);
                    assertBytes(payload, payload.length);
                }
                return true;
            } finally {
                assertSpentAtMost(budget, "frame");
            }
        }

        private Mode readMode() throws IOException {
            try {
                return measured(reader::readMode);
            } catch (SocketTimeoutException stall) {
                assertStallAtBoundary();
                return measured(reader::readMode);
            }
        }

        /** A server REPLY as the client reads it; false when the server closed at a frame boundary. */
        private boolean reply() throws IOException {
            spent = 0;
            try {
                Reply reply;
                try {
                    reply = measured(() -> reader.readReply(MAX_REPLY));
                } catch (SocketTimeoutException stall) {
                    assertStallAtBoundary();
                    reply = measured(() -> reader.readReply(MAX_REPLY));
                }
                assertWord(reply.status().code());
                assertThat(reply.payload().length).as("REPLY payload").isLessThanOrEqualTo(MAX_REPLY);
                assertWord(reply.payload().length);
                assertBytes(reply.payload(), reply.payload().length);
                return true;
            } catch (EOFException closed) {
                assertCleanEnd();
                return false;
            } finally {
                assertSpentAtMost(ALLOCATION_SLACK + MAX_REPLY, "REPLY");
            }
        }

        /** One {@code u64 length, bytes} field of the seed AUTH answer. */
        private boolean sized() throws IOException {
            spent = 0;
            try {
                byte[] field = measured(() -> reader.readSized("AUTH signature", MAX_SIGNATURE));
                assertThat(field.length).as("AUTH signature").isLessThanOrEqualTo(MAX_SIGNATURE);
                assertWord(field.length);
                assertBytes(field, field.length);
                return true;
            } finally {
                assertSpentAtMost(ALLOCATION_SLACK + MAX_SIGNATURE, "AUTH signature");
            }
        }

        /** Runs one reader call and adds what it allocated (also when it throws) to {@code spent}. */
        private <T> T measured(ReaderCall<T> call) throws IOException {
            long before = allocatedBytes();
            try {
                return call.run();
            } finally {
                spent += allocatedBytes() - before;
            }
        }

        private void assertSpentAtMost(long budget, String what) {
            if (checkAllocations) {
                assertThat(spent).as("bytes allocated by the reader for one %s", what).isLessThanOrEqualTo(budget);
            }
        }

        private FrameLimits limits(Phase phase) {
            FrameLimits result = FrameLimits.none();
            switch (phase) {
                case SMALL -> {
                    for (Mode mode : Mode.values()) {
                        int max = mode.ordinal() < small.length ? small[mode.ordinal()] & 0xff : 0;
                        if (max != 255) {
                            result = result.with(mode, max, "small test limit");
                        }
                    }
                }
                case SEED_FIRST_FRAME -> result = result
                        .with(Mode.FILE, ReceptionLimits.MAX_HEADER, "a file name is at most 16 KiB")
                        .with(Mode.DATA, Fernet.maxTokenLength(256L << 20), "ferry.server.seed-max-file-size")
                        .with(Mode.AUTH, ReceptionLimits.MAX_HANDSHAKE, "AUTH")
                        .with(Mode.KEY, ReceptionLimits.MAX_HANDSHAKE, "KEY")
                        .with(Mode.HELLO, ReceptionLimits.MAX_HELLO, "HELLO");
                case NATIVE_HANDSHAKE -> result = result
                        .with(Mode.AUTH, ReceptionLimits.MAX_HANDSHAKE, "AUTH")
                        .with(Mode.KEY, ReceptionLimits.MAX_HANDSHAKE, "KEY")
                        .with(Mode.CLIENT_AUTH, ReceptionLimits.MAX_HANDSHAKE, "CLIENT-AUTH");
                case NATIVE_FILES -> result = result
                        .with(Mode.FILE, ReceptionLimits.MAX_HEADER + SEAL_OVERHEAD, "FILE header")
                        .with(Mode.DATA, (1 << 20) + SEAL_OVERHEAD, "ferry.server.max-block")
                        .with(Mode.COMMIT, CommitTrailer.LENGTH + SEAL_OVERHEAD, "COMMIT trailer");
                case CLIENT -> {
                    // A client reads no client frames: only REPLYs and sized fields pass.
                }
            }
            return result;
        }

        private void assertLength(int length, FrameLimits.Limit limit, Mode mode) {
            assertThat(limit).as("%s was read although it is not allowed in this phase", mode).isNotNull();
            assertThat((long) length).as("%s length", mode).isBetween(0L, limit.maxBytes());
            assertWord(length);
        }

        /** The u64 just read equals the wire's bytes at the current position. */
        private void assertWord(long value) {
            assertThat(wire.length - position).as("bytes left for a u64").isGreaterThanOrEqualTo(8);
            assertThat(ByteBuffer.wrap(wire, position, 8).getLong()).as("u64 at %d", position).isEqualTo(value);
            position += 8;
        }

        private void assertBytes(byte[] read, int length) {
            assertThat(Arrays.equals(read, 0, length, wire, position, position + length))
                    .as("%d payload bytes at %d", length, position).isTrue();
            position += length;
        }

        private void assertStallAtBoundary() {
            assertThat(position).as("a read timeout escapes only before the first byte of a frame")
                    .isEqualTo(stallAt);
        }

        private void assertCleanEnd() {
            assertThat(position).as("the stream ends only at a frame boundary").isEqualTo(wire.length);
            assertThat(transcript.hash()).as("the transcript saw exactly the bytes read").isEqualTo(sha256(wire));
        }
    }

    /** Bytes this thread allocated so far; 0 where the JVM cannot tell, which turns the check off. */
    private static long allocatedBytes() {
        return THREADS.isThreadAllocatedMemorySupported() ? THREADS.getCurrentThreadAllocatedBytes() : 0;
    }

    @FunctionalInterface
    private interface ReaderCall<T> {
        T run() throws IOException;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The wire as a socket delivers it: at {@code stallAt} one read times out (as with
     * {@code SO_TIMEOUT}), and {@code available()} never promises the bytes behind the stall.
     */
    private static final class StallingStream extends FilterInputStream {
        private final int stallAt;
        private final byte[] one = new byte[1];
        private int position;
        private boolean stalled;

        StallingStream(byte[] wire, int stallAt) {
            super(new ByteArrayInputStream(wire));
            this.stallAt = stallAt;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int allowed = len;
            if (!stalled && stallAt >= 0) {
                if (position == stallAt) {
                    stalled = true;
                    throw new SocketTimeoutException("Read timed out");
                }
                if (position < stallAt) {
                    allowed = Math.min(len, stallAt - position);
                }
            }
            int n = super.read(b, off, allowed);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            int available = super.available();
            return !stalled && stallAt >= position ? Math.min(available, stallAt - position) : available;
        }

        @Override
        public long skip(long n) {
            throw new AssertionError("the frame reader never skips");
        }
    }
}
