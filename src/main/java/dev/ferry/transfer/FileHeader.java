package dev.ferry.transfer;

import dev.ferry.wire.ProtocolException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The sealed payload of a native FILE frame (PROTOCOL.md section 3.4).
 *
 * @param name relative path with {@code /} separators, as it was under the outbox
 * @param size the number of plaintext bytes that DATA frames will carry
 * @param mtimeMillis the source's modification time, epoch milliseconds
 * @param resumeKey for a large file, the key under which the server keeps what it received if
 *                  the transfer is interrupted (64 hex digits), or null
 */
public record FileHeader(String name, long size, long mtimeMillis, String resumeKey) {
    private static final String WHAT = "FILE header";

    public FileHeader {
        Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        if (resumeKey != null && !resumeKey.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("resume key must be 64 lower-case hex digits");
        }
    }

    public byte[] encode() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("name", name);
        pairs.put("size", Long.toString(size));
        pairs.put("mtime", Long.toString(mtimeMillis));
        if (resumeKey != null) {
            pairs.put("resume-key", resumeKey);
        }
        return KeyValues.format(pairs);
    }

    public static FileHeader decode(byte[] bytes) throws ProtocolException {
        Map<String, String> pairs = KeyValues.parse(bytes, WHAT);
        String mtime = pairs.getOrDefault("mtime", "0");
        long mtimeMillis;
        try {
            mtimeMillis = Long.parseLong(mtime);
        } catch (NumberFormatException e) {
            throw new ProtocolException(WHAT + " has mtime=" + PeerText.show(mtime) + ", expected epoch milliseconds",
                    e);
        }
        String resumeKey = pairs.get("resume-key");
        if (resumeKey != null && !resumeKey.matches("[0-9a-f]{64}")) {
            throw new ProtocolException(WHAT + " has a resume-key that is not 64 lower-case hex digits");
        }
        return new FileHeader(KeyValues.require(pairs, "name", WHAT), KeyValues.requireLong(pairs, "size", WHAT),
                mtimeMillis, resumeKey);
    }
}
