package dev.ferry.pki;

/**
 * A key, certificate or chain file cannot be used. The message names the file, the reason and the
 * fix, e.g. {@code private key file certs/server.key is encrypted; encrypted private keys are not
 * supported; decrypt it with openssl pkey ...}.
 */
public class PkiException extends Exception {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
