package dev.ferry.security.cp2;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strict URL-safe base64 with padding (RFC 4648 section 5) on array ranges, so Fernet can encode
 * and decode large tokens piece by piece without copies. Decoding accepts only the canonical
 * form Python's {@code base64.urlsafe_b64encode} produces: the URL-safe alphabet, {@code =}
 * padding only at the very end, and zero unused bits in the last character (otherwise several
 * texts would decode to one token, and a flipped bit could go unnoticed). Stateless.
 */
final class Base64Url {
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = new byte[256];
    private static final byte PAD = '=';

    static {
        Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
        }
    }

    private Base64Url() {
    }

    /** Characters for {@code rawLength} bytes, padding included: 4 * ceil(n / 3). */
    static long encodedLength(long rawLength) {
        return (rawLength + 2) / 3 * 4;
    }

    /**
     * Encodes {@code src[off, off+len)} at {@code dst[dstOff]}; returns the characters written.
     * Only the last piece of a text may have a length that is not a multiple of 3.
     */
    static int encode(byte[] src, int off, int len, byte[] dst, int dstOff) {
        int o = dstOff;
        int end = off + len - len % 3;
        for (int i = off; i < end; i += 3) {
            int bits = (src[i] & 0xff) << 16 | (src[i + 1] & 0xff) << 8 | (src[i + 2] & 0xff);
            dst[o] = ALPHABET[bits >>> 18];
            dst[o + 1] = ALPHABET[(bits >>> 12) & 63];
            dst[o + 2] = ALPHABET[(bits >>> 6) & 63];
            dst[o + 3] = ALPHABET[bits & 63];
            o += 4;
        }
        int tail = len % 3;
        if (tail > 0) {
            int bits = (src[end] & 0xff) << 16 | (tail == 2 ? (src[end + 1] & 0xff) << 8 : 0);
            dst[o] = ALPHABET[bits >>> 18];
            dst[o + 1] = ALPHABET[(bits >>> 12) & 63];
            dst[o + 2] = tail == 2 ? ALPHABET[(bits >>> 6) & 63] : PAD;
            dst[o + 3] = PAD;
            o += 4;
        }
        return o - dstOff;
    }

    /** The number of {@code =} at the end of a text of {@code len} characters (0, 1 or 2 for a well-formed one). */
    static int padding(byte[] src, int off, int len) {
        int pad = 0;
        while (pad < 2 && pad < len && src[off + len - 1 - pad] == PAD) {
            pad++;
        }
        return pad;
    }

    /**
     * Decodes {@code len} characters (a multiple of 4) at {@code dst[dstOff]} and returns the
     * bytes written, or -1 when the text is not canonical base64url. Padding is allowed only in
     * the last quad and only when {@code last}.
     */
    static int decode(byte[] src, int off, int len, byte[] dst, int dstOff, boolean last) {
        if (len % 4 != 0) {
            return -1;
        }
        int pad = last ? padding(src, off, len) : 0;
        int fullEnd = off + len - (pad > 0 ? 4 : 0);
        int o = dstOff;
        for (int i = off; i < fullEnd; i += 4) {
            int a = VALUES[src[i] & 0xff];
            int b = VALUES[src[i + 1] & 0xff];
            int c = VALUES[src[i + 2] & 0xff];
            int d = VALUES[src[i + 3] & 0xff];
            if ((a | b | c | d) < 0) {
                return -1;
            }
            int bits = a << 18 | b << 12 | c << 6 | d;
            dst[o] = (byte) (bits >>> 16);
            dst[o + 1] = (byte) (bits >>> 8);
            dst[o + 2] = (byte) bits;
            o += 3;
        }
        if (pad > 0) {
            int a = VALUES[src[fullEnd] & 0xff];
            int b = VALUES[src[fullEnd + 1] & 0xff];
            int c = pad == 1 ? VALUES[src[fullEnd + 2] & 0xff] : 0;
            // The bits below the last whole byte must be zero: RFC 4648 section 3.5, canonical encoding.
            int unused = pad == 1 ? c & 3 : b & 15;
            if ((a | b | c) < 0 || unused != 0) {
                return -1;
            }
            int bits = a << 18 | b << 12 | c << 6;
            dst[o++] = (byte) (bits >>> 16);
            if (pad == 1) {
                dst[o++] = (byte) (bits >>> 8);
            }
        }
        return o - dstOff;
    }
}
