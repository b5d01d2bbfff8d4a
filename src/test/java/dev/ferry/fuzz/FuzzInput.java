package dev.ferry.fuzz;

import java.util.Arrays;

/**
 * Reads choices from a fuzzer's input, front to back. Past the end every choice is 0 and every
 * byte run is empty, so any input, even an empty one, describes a complete run. A plain cursor
 * (rather than Jazzer's FuzzedDataProvider, which takes numbers from the end) keeps the layout
 * simple enough for {@link FuzzInputs} to write valid sessions into regression input files.
 */
final class FuzzInput {
    private final byte[] bytes;
    private int at;

    FuzzInput(byte[] bytes) {
        this.bytes = bytes;
    }

    boolean hasMore() {
        return at < bytes.length;
    }

    /** The next byte, 0 to 255. */
    int next() {
        return at < bytes.length ? bytes[at++] & 0xff : 0;
    }

    /** The next two bytes, big-endian, 0 to 65535. */
    int nextU16() {
        return next() << 8 | next();
    }

    /** The next eight bytes, big-endian. */
    long nextLong() {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | next();
        }
        return value;
    }

    /** Up to {@code count} next bytes (fewer at the end of the input). */
    byte[] nextBytes(int count) {
        int n = Math.min(count, bytes.length - at);
        byte[] run = Arrays.copyOfRange(bytes, at, at + n);
        at += n;
        return run;
    }

    /** Everything not read yet. */
    byte[] rest() {
        return nextBytes(bytes.length - at);
    }
}
