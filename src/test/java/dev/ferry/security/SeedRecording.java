package dev.ferry.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the original programs' recordings (test resources seed-vectors/, see its README) with the
 * JDK only: frames as in PROTOCOL.md section 1, the PKCS#8 test key, the PEM certificate.
 */
public final class SeedRecording {
    public static final long FILE = 0;
    public static final long DATA = 1;
    public static final long CLOSE = 2;
    public static final long AUTH = 3;
    public static final long KEY = 4;

    /** One client-to-server frame; CLOSE has an empty payload. */
    public record Frame(long mode, byte[] payload) {
    }

    /** The server's AUTH answer: u64 length + signature, u64 length + PEM certificate. */
    public record AuthAnswer(byte[] signature, String certificatePem) {
    }

    private SeedRecording() {
    }

    public static byte[] resource(String name) throws IOException {
        try (InputStream in = SeedRecording.class.getResourceAsStream("/seed-vectors/" + name)) {
            if (in == null) {
                throw new IOException("test resource seed-vectors/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    /** Every frame of {@code <protocol>.c2s}, in order. */
    public static List<Frame> clientFrames(String protocol) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(resource(protocol + ".c2s")));
        List<Frame> frames = new ArrayList<>();
        while (true) {
            long mode;
            try {
                mode = in.readLong();
            } catch (EOFException end) {
                return frames;
            }
            byte[] payload = mode == CLOSE ? new byte[0] : in.readNBytes(Math.toIntExact(in.readLong()));
            frames.add(new Frame(mode, payload));
        }
    }

    /** The payloads of the frames of {@code mode} in {@code <protocol>.c2s}, in order. */
    public static List<byte[]> payloads(String protocol, long mode) throws IOException {
        return clientFrames(protocol).stream().filter(f -> f.mode() == mode).map(Frame::payload).toList();
    }

    public static AuthAnswer authAnswer(String protocol) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(resource(protocol + ".s2c")));
        byte[] signature = in.readNBytes(Math.toIntExact(in.readLong()));
        byte[] pem = in.readNBytes(Math.toIntExact(in.readLong()));
        if (in.read() != -1) {
            throw new IOException(protocol + ".s2c has bytes after the certificate");
        }
        return new AuthAnswer(signature, new String(pem, StandardCharsets.US_ASCII));
    }

    /** The files the recordings carry, in the order they were sent. */
    public static List<byte[]> files() throws IOException {
        return List.of(resource("files/hello.txt"), resource("files/random-100k.bin"));
    }

    /** The recordings' server key (PKCS#8 PEM), parsed with the JDK. */
    public static PrivateKey serverPrivateKey() throws IOException, GeneralSecurityException {
        String pem = new String(resource("server_private_key.test-only.pem"), StandardCharsets.US_ASCII);
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(pem, "PRIVATE KEY")));
    }

    public static X509Certificate certificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The base64 body between the BEGIN and END lines of the first {@code label} block. */
    public static byte[] pemBody(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException("no " + label + " block in the PEM text");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    /** A fresh RSA-2048 key pair (~100 ms: generate once per test class). */
    public static KeyPair rsa2048() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** {@code bytes} with bit {@code bit} (0 = lowest of byte 0) flipped, as a copy. */
    public static byte[] flipBit(byte[] bytes, int bit) {
        byte[] copy = bytes.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
