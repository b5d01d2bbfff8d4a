package dev.ferry.testing.seed;

import dev.ferry.security.SeedRecording;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Stands in for the original ClientWithoutSecurity and ClientWithSecurityAP / CP1 / CP2, written
 * from PROTOCOL.md section 2 with JDK APIs only: AUTH (16 random bytes and some text), the check
 * of the answer as the original makes it (the CA's PKCS#1 v1.5 signature on the first PEM block,
 * nothing else, then the PSS signature over its own AUTH message), KEY for cp2, FILE with the path
 * as typed and DATA with the whole file encoded per protocol, and CLOSE twice. Immutable; each
 * {@link #send} is one session on the calling thread.
 */
public final class SeedClient {
    private static final byte[] AUTH_TEXT = "seed stand-in client: hello server".getBytes(StandardCharsets.UTF_8);

    /** One file as the seed user typed it: the path goes on the wire as it is, e.g. {@code files/x.bin}. */
    public record Upload(String typedPath, byte[] content) {
        public Upload {
            Objects.requireNonNull(typedPath, "typedPath");
            Objects.requireNonNull(content, "content");
        }
    }

    private final SeedProtocol protocol;
    private final PublicKey caKey;
    private final SecureRandom random = new SecureRandom();

    private SeedClient(SeedProtocol protocol, PublicKey caKey) {
        this.protocol = protocol;
        this.caKey = caKey;
    }

    /**
     * The client of {@code protocol}; ap, cp1 and cp2 trust the first certificate of the PEM file
     * {@code caCertificate} (the original's auth/cacsertificate.crt), plain ignores it.
     */
    public static SeedClient of(SeedProtocol protocol, Path caCertificate) throws IOException, GeneralSecurityException {
        Objects.requireNonNull(protocol, "protocol");
        if (!protocol.authenticates()) {
            return new SeedClient(protocol, null);
        }
        return new SeedClient(protocol, firstCertificate(Files.readAllBytes(caCertificate)).getPublicKey());
    }

    /**
     * One session with the server on 127.0.0.1:{@code port}: authenticates it as the protocol
     * needs, sends every file, then CLOSE twice (the second may meet a closed socket: ignored).
     *
     * @throws GeneralSecurityException the server's certificate or signature was refused; the
     *                                  session was abandoned before any file was sent
     */
    public void send(int port, List<Upload> files) throws IOException, GeneralSecurityException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            PublicKey serverKey = protocol.authenticates() ? authenticate(in, out) : null;
            String fernetKey = null;
            if (protocol == SeedProtocol.CP2) {
                fernetKey = SeedCrypto.newFernetKey(random);
                byte[] keyText = fernetKey.getBytes(StandardCharsets.US_ASCII);
                SeedFrames.writeFrame(out, SeedFrames.KEY, SeedCrypto.oaepEncrypt(serverKey, keyText));
            }
            for (Upload file : files) {
                SeedFrames.writeFrame(out, SeedFrames.FILE, file.typedPath().getBytes(StandardCharsets.UTF_8));
                SeedFrames.writeFrame(out, SeedFrames.DATA, encode(file.content(), serverKey, fernetKey));
                out.flush();
            }
            out.writeLong(SeedFrames.CLOSE);
            out.flush();
            try {
                out.writeLong(SeedFrames.CLOSE);
                out.flush();
            } catch (IOException serverClosedFirst) {
                // The original client sends CLOSE twice; the server has already closed after the first.
            }
        }
    }

    private PublicKey authenticate(DataInputStream in, DataOutputStream out) throws IOException, GeneralSecurityException {
        byte[] message = new byte[16 + AUTH_TEXT.length];
        random.nextBytes(message);
        System.arraycopy(AUTH_TEXT, 0, message, 16, AUTH_TEXT.length);
        SeedFrames.writeFrame(out, SeedFrames.AUTH, message);
        out.flush();
        byte[] signature = SeedFrames.readSized(in, "AUTH signature");
        byte[] pem = SeedFrames.readSized(in, "AUTH certificate");
        X509Certificate certificate = firstCertificate(pem);
        try {
            // As the original: the CA's signature on the first certificate only; no dates, names or chain.
            certificate.verify(caKey);
        } catch (GeneralSecurityException e) {
            throw new SignatureException("the server's certificate " + certificate.getSubjectX500Principal()
                    + " is not signed by the CA: " + e.getMessage(), e);
        }
        if (!SeedCrypto.verify(certificate.getPublicKey(), message, signature)) {
            throw new SignatureException("the server's AUTH signature does not verify with its certificate's key");
        }
        return certificate.getPublicKey();
    }

    private byte[] encode(byte[] content, PublicKey serverKey, String fernetKey) throws GeneralSecurityException {
        return switch (protocol) {
            case PLAIN, AP -> content;
            case CP1 -> SeedCrypto.cp1Encode(serverKey, content);
            case CP2 -> SeedCrypto.fernetEncrypt(fernetKey, content, random);
        };
    }

    private static X509Certificate firstCertificate(byte[] pem) throws GeneralSecurityException {
        byte[] der = SeedRecording.pemBody(new String(pem, StandardCharsets.US_ASCII), "CERTIFICATE");
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
