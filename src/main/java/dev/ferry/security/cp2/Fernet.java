package dev.ferry.security.cp2;

import dev.ferry.security.SealException;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Fernet tokens as the seed's cp2 programs make and read them with Python's cryptography
 * (https://github.com/fernet/spec/blob/master/Spec.md): the URL-safe base64, with padding, of
 * {@code 0x80 | u64 timestamp seconds | 16-byte IV | AES-128-CBC PKCS#7 ciphertext | HMAC-SHA256}
 * where the HMAC covers everything before it. Token age is never checked: the seed does not
 * (PROTOCOL.md section 2), and recorded tokens must still open.
 * <p>Not thread-safe: an instance reuses one Cipher, one Mac and, once a stream was used, about
 * 180 KiB of buffers. Use one instance per thread.
 */
public final class Fernet {
    private static final byte VERSION = (byte) 0x80;
    private static final int IV = 16;
    private static final int HEADER = 1 + 8 + IV;
    private static final int BLOCK = 16;
    private static final int HMAC = 32;
    /** PKCS#7 always adds 1 to 16 bytes, so the shortest token carries one ciphertext block. */
    private static final int MIN_RAW = HEADER + BLOCK + HMAC;
    private static final long MIN_TEXT = Base64Url.encodedLength(MIN_RAW);
    /** Stream pieces: text a multiple of 4, raw a multiple of 3 and of the AES block. */
    private static final int PIECE_TEXT = 64 * 1024;
    private static final int PIECE_RAW = PIECE_TEXT / 4 * 3;
    /** The byte[] API keeps the token in one array; larger files go through the streams. */
    private static final int MAX_ARRAY_PLAIN = 1 << 30;

    private final SecretKeySpec aesKey;
    private final Cipher aes;
    private final Mac mac;
    private final byte[] header = new byte[HEADER];
    private final byte[] computedTag = new byte[HMAC];
    private final byte[] receivedTag = new byte[HMAC];
    private byte[] text;
    private byte[] raw;
    private byte[] plain;

    public Fernet(FernetKey key) {
        Objects.requireNonNull(key, "key");
        try {
            // The JDK's PKCS5Padding on AES is PKCS#7 with 16-byte blocks, which the spec asks for.
            aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.signingKey(), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC/PKCS5Padding and HmacSHA256 are required by every Java platform", e);
        }
        aesKey = new SecretKeySpec(key.encryptionKey(), "AES");
    }

    /** The exact token length (base64 characters) for {@code plainLength} bytes, for frame lengths and limits. */
    public static long maxTokenLength(long plainLength) {
        if (plainLength < 0) {
            throw new IllegalArgumentException("negative plaintext length " + plainLength);
        }
        return Base64Url.encodedLength(HEADER + (plainLength / BLOCK + 1) * BLOCK + HMAC);
    }

    /** A token for {@code plain} stamped now with a random IV, as Python's {@code Fernet.encrypt}. */
    public byte[] encrypt(byte[] plain, SecureRandom random) {
        byte[] iv = new byte[IV];
        random.nextBytes(iv);
        return encrypt(plain, System.currentTimeMillis() / 1000, iv);
    }

    /** The token (ASCII base64url bytes) for {@code plain} with the given timestamp and IV. */
    public byte[] encrypt(byte[] plain, long timestampSeconds, byte[] iv16) {
        if (plain.length > MAX_ARRAY_PLAIN) {
            throw new IllegalArgumentException("a " + plain.length + "-byte file is too large for one array; use the stream encrypt");
        }
        int cipherLength = (plain.length / BLOCK + 1) * BLOCK;
        byte[] rawToken = new byte[HEADER + cipherLength + HMAC];
        start(Cipher.ENCRYPT_MODE, rawToken, timestampSeconds, iv16);
        try {
            aes.doFinal(plain, 0, plain.length, rawToken, HEADER);
            mac.update(rawToken, HEADER, cipherLength);
            mac.doFinal(rawToken, HEADER + cipherLength);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC or HMAC failed on a correctly sized buffer", e);
        }
        byte[] token = new byte[(int) Base64Url.encodedLength(rawToken.length)];
        Base64Url.encode(rawToken, 0, rawToken.length, token, 0);
        return token;
    }

    /**
     * Streams the token for the {@code plainLength} bytes read from {@code in} to {@code out}:
     * exactly {@link #maxTokenLength}(plainLength) characters, in pieces of at most 64 KiB.
     */
    public void encrypt(InputStream in, long plainLength, OutputStream out, long timestampSeconds, byte[] iv16)
            throws IOException {
        buffers();
        start(Cipher.ENCRYPT_MODE, raw, timestampSeconds, iv16);
        int pending = HEADER;
        long remaining = plainLength;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(PIECE_RAW, remaining);
                readFully(in, plain, n, plainLength - remaining, plainLength, "file");
                int w = aes.update(plain, 0, n, raw, pending);
                mac.update(raw, pending, w);
                pending = flush(pending + w, out, false);
                remaining -= n;
            }
            int w = aes.doFinal(raw, pending);
            mac.update(raw, pending, w);
            mac.doFinal(raw, pending + w);
            flush(pending + w + HMAC, out, true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC or HMAC failed on a correctly sized buffer", e);
        }
    }

    /** Opens a token: checks its form, version and HMAC (in constant time), then decrypts and unpads. */
    public byte[] decrypt(byte[] token) throws SealException {
        int pad = expectedPadding(token.length);
        byte[] rawToken = new byte[token.length / 4 * 3 - pad];
        if (Base64Url.padding(token, 0, token.length) != pad
                || Base64Url.decode(token, 0, token.length, rawToken, 0, true) != rawToken.length) {
            throw invalid("not URL-safe base64 with padding");
        }
        checkVersion(rawToken[0]);
        mac.reset();
        mac.update(rawToken, 0, rawToken.length - HMAC);
        System.arraycopy(rawToken, rawToken.length - HMAC, receivedTag, 0, HMAC);
        checkTag();
        try {
            aes.init(Cipher.DECRYPT_MODE, aesKey, new IvParameterSpec(rawToken, 1 + 8, IV));
            return aes.doFinal(rawToken, HEADER, rawToken.length - HEADER - HMAC);
        } catch (BadPaddingException e) {
            throw invalid("bad padding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC refused a whole number of blocks", e);
        }
    }

    /**
     * Opens a token of {@code length} characters read from {@code in}, writing the plaintext to
     * {@code out} as it goes, in 64 KiB pieces. The HMAC is checked at the end, before this
     * returns: when it throws, {@code out} has received unauthenticated bytes that the caller must
     * discard. An invalid token is a {@link SealException}; a short stream an {@link EOFException}.
     */
    public void decrypt(InputStream in, long length, OutputStream out) throws IOException {
        int pad = expectedPadding(length);
        long cipherEnd = length / 4 * 3 - pad - HMAC;
        buffers();
        mac.reset();
        long pos = 0;
        long remaining = length;
        while (remaining > 0) {
            int chars = (int) Math.min(PIECE_TEXT, remaining);
            readFully(in, text, chars, length - remaining, length, "Fernet token");
            boolean last = chars == remaining;
            int n = last && Base64Url.padding(text, 0, chars) != pad ? -1 : Base64Url.decode(text, 0, chars, raw, 0, last);
            if (n < 0) {
                throw invalid("not URL-safe base64 with padding");
            }
            pos = route(n, pos, cipherEnd, out);
            remaining -= chars;
        }
        checkTag();
        try {
            out.write(plain, 0, aes.doFinal(plain, 0));
        } catch (BadPaddingException e) {
            throw invalid("bad padding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC refused a whole number of blocks", e);
        }
    }

    /** Sends the n decoded bytes in {@code raw} to the header, the ciphertext or the tag, by position. */
    private long route(int n, long pos, long cipherEnd, OutputStream out) throws IOException {
        int i = 0;
        if (pos < HEADER) {
            i = (int) Math.min(n, HEADER - pos);
            System.arraycopy(raw, 0, header, (int) pos, i);
            pos += i;
            if (pos == HEADER) {
                checkVersion(header[0]);
                mac.update(header);
                try {
                    aes.init(Cipher.DECRYPT_MODE, aesKey, new IvParameterSpec(header, 1 + 8, IV));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-128 refused a 16-byte key and IV", e);
                }
            }
        }
        if (i < n && pos < cipherEnd) {
            int take = (int) Math.min(n - i, cipherEnd - pos);
            mac.update(raw, i, take);
            try {
                out.write(plain, 0, aes.update(raw, i, take, plain, 0));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CBC output buffer too small", e);
            }
            i += take;
            pos += take;
        }
        if (i < n) {
            System.arraycopy(raw, i, receivedTag, (int) (pos - cipherEnd), n - i);
            pos += n - i;
        }
        return pos;
    }

    /** Writes the header into {@code dst}, resets the Mac with it and sets the cipher up. */
    private void start(int mode, byte[] dst, long timestampSeconds, byte[] iv16) {
        if (iv16.length != IV || timestampSeconds < 0) {
            throw new IllegalArgumentException("a Fernet token needs a 16-byte IV and a timestamp >= 0, got "
                    + iv16.length + " bytes and " + timestampSeconds);
        }
        dst[0] = VERSION;
        for (int i = 0; i < 8; i++) {
            dst[1 + i] = (byte) (timestampSeconds >>> (56 - 8 * i));
        }
        System.arraycopy(iv16, 0, dst, 1 + 8, IV);
        mac.reset();
        mac.update(dst, 0, HEADER);
        try {
            aes.init(mode, aesKey, new IvParameterSpec(iv16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128 refused a 16-byte key and IV", e);
        }
    }

    /** Base64-encodes the whole triples of {@code raw[0, len)} (all of it when last) to out; keeps the rest at the front. */
    private int flush(int len, OutputStream out, boolean last) throws IOException {
        int whole = last ? len : len - len % 3;
        out.write(text, 0, Base64Url.encode(raw, 0, whole, text, 0));
        System.arraycopy(raw, whole, raw, 0, len - whole);
        return len - whole;
    }

    private void checkTag() throws SealException {
        try {
            mac.doFinal(computedTag, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 output buffer too small", e);
        }
        // MessageDigest.isEqual is constant-time: the spec's step 5, against timing forgeries.
        if (!MessageDigest.isEqual(computedTag, receivedTag)) {
            throw invalid("HMAC does not match (another key, or altered)");
        }
    }

    /**
     * The padding a token of {@code textLength} characters must have: of the three raw lengths
     * that many characters can carry, at most one is a whole number of AES blocks plus the fixed fields.
     */
    private static int expectedPadding(long textLength) throws SealException {
        if (textLength >= MIN_TEXT && textLength % 4 == 0) {
            long whole = textLength / 4 * 3;
            for (int pad = 0; pad <= 2; pad++) {
                if ((whole - pad - MIN_RAW) % BLOCK == 0) {
                    return pad;
                }
            }
        }
        throw invalid(textLength + " characters cannot hold a token (too short, or not whole AES blocks)");
    }

    private static void checkVersion(byte version) throws SealException {
        if (version != VERSION) {
            throw invalid(String.format("version 0x%02x (only 0x80 is defined)", version & 0xff));
        }
    }

    private static SealException invalid(String cause) {
        return new SealException("invalid Fernet token: " + cause);
    }

    private static void readFully(InputStream in, byte[] dst, int len, long done, long total, String what)
            throws IOException {
        int at = 0;
        while (at < len) {
            int n = in.read(dst, at, len - at);
            if (n < 0) {
                throw new EOFException("the " + what + " ended after " + (done + at) + " of " + total + " bytes");
            }
            at += n;
        }
    }

    private void buffers() {
        if (text == null) {
            text = new byte[PIECE_TEXT + 256];
            raw = new byte[PIECE_RAW + 128];
            plain = new byte[PIECE_RAW + BLOCK];
        }
    }
}
