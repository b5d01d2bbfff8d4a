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
 */
public record FileHeader(String name, long size, long mtimeMillis) {
    private static final String WHAT = "FILE header";

    public FileHeader {
        Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }

    public byte[] encode() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("name", name);
        pairs.put("size", Long.toString(size));
        pairs.put("mtime", Long.toString(mtimeMillis));
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
        return new FileHeader(KeyValues.require(pairs, "name", WHAT), KeyValues.requireLong(pairs, "size", WHAT),
                mtimeMillis);
    }
}
