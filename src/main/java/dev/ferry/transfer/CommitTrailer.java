package dev.ferry.transfer;

import dev.ferry.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The sealed payload of a COMMIT frame: {@code size:u64 || sha256:32 || id:32} (PROTOCOL.md 3.4).
 *
 * @param size plaintext bytes sent
 * @param sha256 digest of the whole plaintext
 * @param id identifies this version of the file for duplicate suppression
 */
public record CommitTrailer(long size, byte[] sha256, byte[] id) {
    public static final int LENGTH = 8 + 32 + 32;

    public CommitTrailer {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        if (sha256.length != 32 || id.length != 32) {
            throw new IllegalArgumentException("sha256 and id must be 32 bytes each");
        }
        sha256 = sha256.clone();
        id = id.clone();
    }

    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH).putLong(size).put(sha256).put(id).array();
    }

    public static CommitTrailer decode(byte[] bytes, int length) throws ProtocolException {
        if (length != LENGTH) {
            throw new ProtocolException("COMMIT trailer is " + length + " bytes, expected " + LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        long size = in.getLong();
        if (size < 0) {
            throw new ProtocolException("COMMIT trailer has size " + Long.toUnsignedString(size) + ", beyond any file");
        }
        byte[] sha256 = new byte[32];
        byte[] id = new byte[32];
        in.get(sha256).get(id);
        return new CommitTrailer(size, sha256, id);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public byte[] id() {
        return id.clone();
    }

    public boolean digestMatches(byte[] actual) {
        return MessageDigest.isEqual(sha256, actual);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommitTrailer other && size == other.size
                && Arrays.equals(sha256, other.sha256) && Arrays.equals(id, other.id);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(size) + Arrays.hashCode(sha256)) + Arrays.hashCode(id);
    }

    @Override
    public String toString() {
        return "CommitTrailer[size=" + size + ", sha256=" + Digests.hex(sha256) + "]";
    }
}
