package dev.ferry.pki;

/**
 * A peer's certificate failed a check of {@link CertificateValidator}. The message lists what was
 * seen and what was expected, and how to fix it, e.g. {@code server name 'example.org' is not in
 * the certificate's names [localhost, 127.0.0.1]; ...}. Subject names quoted from a peer's
 * certificate have their control characters escaped, so the message is safe to log.
 */
public final class CertificateCheckException extends PkiException {
    public CertificateCheckException(String message) {
        super(message);
    }

    public CertificateCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
