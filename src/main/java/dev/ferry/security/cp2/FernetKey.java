package dev.ferry.security.cp2;

import dev.ferry.security.SealException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Fernet key (https://github.com/fernet/spec/blob/master/Spec.md, "Key Format"): a 16-byte
 * HMAC-SHA256 signing key then a 16-byte AES-128 encryption key. Its text form, which the seed's
 * KEY frame carries, is the URL-safe base64 of the 32 bytes with padding: 44 ASCII characters.
 * Immutable; the arrays are copied in and out. {@link #toString} never shows the key.
 */
public record FernetKey(byte[] signingKey, byte[] encryptionKey) {
    /** Bytes of each half. */
    public static final int HALF = 16;
    /** Characters of the text form. */
    public static final int TEXT_LENGTH = 44;

    public FernetKey {
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(encryptionKey, "encryptionKey");
        if (signingKey.length != HALF || encryptionKey.length != HALF) {
            throw new IllegalArgumentException("a Fernet key is 16 + 16 bytes, got " + signingKey.length + " + "
                    + encryptionKey.length);
        }
        signingKey = signingKey.clone();
        encryptionKey = encryptionKey.clone();
    }

    /** A fresh random key, as Python's {@code Fernet.generate_key()}. */
    public static FernetKey generate(SecureRandom random) {
        byte[] both = new byte[2 * HALF];
        random.nextBytes(both);
        return fromBytes(both);
    }

    /** Reads the 44-character text form; anything else (length, alphabet, missing padding) is a {@link SealException}. */
    public static FernetKey parse(String text) throws SealException {
        Objects.requireNonNull(text, "text");
        if (text.length() != TEXT_LENGTH) {
            throw new SealException("a Fernet key is 44 characters of URL-safe base64, got " + text.length());
        }
        byte[] ascii = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] both = new byte[2 * HALF + 1];
        if (Base64Url.decode(ascii, 0, ascii.length, both, 0, true) != 2 * HALF) {
            throw new SealException("a Fernet key is 44 characters of URL-safe base64 with one '=' of padding;"
                    + " the text received is not");
        }
        return fromBytes(Arrays.copyOf(both, 2 * HALF));
    }

    /** The 44-character text form (URL-safe base64 with padding). */
    public String encode() {
        byte[] both = new byte[2 * HALF];
        System.arraycopy(signingKey, 0, both, 0, HALF);
        System.arraycopy(encryptionKey, 0, both, HALF, HALF);
        byte[] text = new byte[TEXT_LENGTH];
        Base64Url.encode(both, 0, both.length, text, 0);
        return new String(text, StandardCharsets.US_ASCII);
    }

    @Override
    public byte[] signingKey() {
        return signingKey.clone();
    }

    @Override
    public byte[] encryptionKey() {
        return encryptionKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FernetKey that && Arrays.equals(signingKey, that.signingKey)
                && Arrays.equals(encryptionKey, that.encryptionKey);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(signingKey) + Arrays.hashCode(encryptionKey);
    }

    @Override
    public String toString() {
        return "FernetKey[redacted]";
    }

    private static FernetKey fromBytes(byte[] both) {
        return new FernetKey(Arrays.copyOfRange(both, 0, HALF), Arrays.copyOfRange(both, HALF, 2 * HALF));
    }
}
