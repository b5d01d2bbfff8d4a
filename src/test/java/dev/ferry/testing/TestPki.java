package dev.ferry.testing;

import dev.ferry.pki.CertificateFolder;
import dev.ferry.pki.PkiException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A CA, a server certificate for localhost and 127.0.0.1, and a client certificate "alice", minted per test class. */
public final class TestPki {
    private final CertificateFolder folder;

    private TestPki(CertificateFolder folder) {
        this.folder = folder;
    }

    public static TestPki create(Path dir) {
        CertificateFolder folder = new CertificateFolder(dir);
        try {
            folder.init(List.of("localhost", "127.0.0.1"), 2048, Duration.ofDays(30), Duration.ofDays(10), false);
            folder.issueClient("alice", 2048, Duration.ofDays(10), false);
        } catch (PkiException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return new TestPki(folder);
    }

    public CertificateFolder folder() {
        return folder;
    }

    /** Settings for both sides: the protocol and the CA, server certificate and key. */
    public String[] settings(String protocol) {
        return new String[] {
            "ferry.security.protocol", protocol,
            "ferry.security.ca-cert", folder.caCert().toString(),
            "ferry.security.server-cert", folder.serverCert().toString(),
            "ferry.security.server-key", folder.serverKey().toString()};
    }

    /** Settings for a client that proves the certificate "alice". */
    public String[] aliceSettings() {
        return new String[] {
            "ferry.security.client-cert", folder.clientCert("alice").toString(),
            "ferry.security.client-key", folder.clientKey("alice").toString()};
    }

    /** Concatenates settings arrays. */
    public static String[] join(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
