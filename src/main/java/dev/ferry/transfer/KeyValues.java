package dev.ferry.transfer;

import dev.ferry.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} line format of HELLO, its answer, FILE headers and REPLY payloads:
 * UTF-8, one pair per line ending in LF, keys of {@code [a-z0-9-]}, values without CR or LF.
 * Unknown keys are kept (callers ignore them); a malformed text is a protocol error.
 */
public final class KeyValues {
    private KeyValues() {
    }

    public static byte[] format(Map<String, String> pairs) {
        StringBuilder text = new StringBuilder();
        pairs.forEach((key, value) -> {
            if (!validKey(key) || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("cannot encode " + key + "=" + value + " as a key=value line");
            }
            text.append(key).append('=').append(value).append('\n');
        });
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static Map<String, String> parse(byte[] bytes, String what) throws ProtocolException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(what + " is not valid UTF-8", e);
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            if (eq < 0 || !validKey(key) || line.indexOf('\r') >= 0) {
                throw new ProtocolException(what + " has a malformed line '" + PeerText.show(line)
                        + "' (expected key=value)");
            }
            if (pairs.putIfAbsent(key, line.substring(eq + 1)) != null) {
                throw new ProtocolException(what + " repeats the key '" + key + "'");
            }
        }
        return pairs;
    }

    /** A required value, or a protocol error naming the key. */
    public static String require(Map<String, String> pairs, String key, String what) throws ProtocolException {
        String value = pairs.get(key);
        if (value == null) {
            throw new ProtocolException(what + " lacks the required key '" + key + "'");
        }
        return value;
    }

    /** A required non-negative decimal number. */
    public static long requireLong(Map<String, String> pairs, String key, String what) throws ProtocolException {
        String value = require(pairs, key, what);
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the key and value
        }
        throw new ProtocolException(what + " has " + key + "=" + PeerText.show(value)
                + ", expected a non-negative number");
    }

    private static boolean validKey(String key) {
        if (key.isEmpty() || key.length() > 64) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
