package dev.ferry.transfer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests and file version ids (PROTOCOL.md section 3.4). */
public final class Digests {
    private static final byte[] ID_DOMAIN = "ferry/1 file-id".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESUME_DOMAIN = "ferry/1 resume-key".getBytes(StandardCharsets.UTF_8);

    private Digests() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * The id of one version of a file: the same client re-sending the same content under the same
     * name, size and mtime after a crash gets the same id, so the server can recognise it.
     */
    public static byte[] fileId(String clientName, String relativeName, long size, long mtimeMillis, byte[] contentSha256) {
        MessageDigest digest = sha256();
        digest.update(ID_DOMAIN);
        digest.update((byte) 0);
        digest.update(clientName.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(relativeName.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(ByteBuffer.allocate(16).putLong(size).putLong(mtimeMillis).array());
        digest.update(contentSha256);
        return digest.digest();
    }

    /**
     * The key under which the server keeps an interrupted transfer of one version of a file: the
     * same client, name, size and modification time give the same key, any change another.
     */
    public static String resumeKey(String clientName, String relativeName, long size, long mtimeMillis) {
        MessageDigest digest = sha256();
        digest.update(RESUME_DOMAIN);
        digest.update((byte) 0);
        digest.update(clientName.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(relativeName.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(ByteBuffer.allocate(16).putLong(size).putLong(mtimeMillis).array());
        return hex(digest.digest());
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
