package dev.ferry.pki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The folder {@code ferry certs} manages: {@code ca.key}, {@code ca.crt}, {@code server.key},
 * {@code server.crt} and {@code client-NAME.key} / {@code client-NAME.crt}. Private keys are
 * written owner-only. Nothing is overwritten unless forced, and an unforced run that would
 * overwrite a file writes nothing at all.
 */
public final class CertificateFolder {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateFolder.class);
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String CA_NAME = "Ferry CA";

    private final Path dir;

    public CertificateFolder(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** What one command wrote: the CA that signed, the new certificate and the files, in order. */
    public record Issued(X509Certificate ca, X509Certificate certificate, List<Path> files) {
        public Issued {
            Objects.requireNonNull(ca, "ca");
            Objects.requireNonNull(certificate, "certificate");
            files = List.copyOf(files);
        }
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path clientKey(String name) {
        return dir.resolve("client-" + name + ".key");
    }

    public Path clientCert(String name) {
        return dir.resolve("client-" + name + ".crt");
    }

    /**
     * Checks a client name, which becomes part of file names: 1 to 64 letters, digits, '.', '_'
     * or '-', starting with a letter or digit.
     */
    public static void checkClientName(String name) throws PkiException {
        if (!CLIENT_NAME.matcher(name).matches()) {
            throw new PkiException("client name '" + CertificateNames.printable(name) + "' is not allowed: use 1 to"
                    + " 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    /** This machine's names for a server certificate: localhost, 127.0.0.1 and the host name when it is usable. */
    public static List<String> localNames() {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        try {
            String host = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            if (!names.contains(host) && !HostNames.isIpLiteral(host)) {
                HostNames.checkServerName(host);
                names.add(host);
            }
        } catch (UnknownHostException | PkiException e) {
            LOG.debug("no usable host name for the certificate: {}", e.toString());
        }
        return names;
    }

    /**
     * For {@code ferry local}: when none of the three files a server needs exists and they are
     * this folder's standard files, creates a CA and a server certificate for this machine.
     *
     * @return true when it created them; false when they all exist
     * @throws PkiException some exist and others do not, or the settings name other files
     */
    public static boolean createForLocalUse(Path caCert, Path serverCert, Path serverKey)
            throws PkiException, IOException {
        List<Path> configured = List.of(caCert, serverCert, serverKey);
        long present = configured.stream().filter(Files::exists).count();
        if (present == configured.size()) {
            return false;
        }
        CertificateFolder folder = new CertificateFolder(caCert.toAbsolutePath().getParent());
        List<Path> standard = List.of(folder.caCert(), folder.serverCert(), folder.serverKey());
        boolean standardNames = configured.stream().map(p -> p.toAbsolutePath().normalize()).toList()
                .equals(standard.stream().map(p -> p.toAbsolutePath().normalize()).toList());
        if (present > 0 || !standardNames) {
            throw new PkiException("the certificate files " + configured + " are incomplete or not in one folder; create"
                    + " them with: ferry certs init --dir <folder> (and --force to replace a partial set)");
        }
        folder.init(localNames(), 2048, Duration.ofDays(3650), Duration.ofDays(825), false);
        return true;
    }

    /** A new CA and a server certificate for {@code names} signed by it. */
    public Issued init(List<String> names, int rsaBits, Duration caValidity, Duration validity, boolean force)
            throws PkiException, IOException {
        for (String name : names) {
            HostNames.checkServerName(name);
        }
        List<Path> files = List.of(caKey(), caCert(), serverKey(), serverCert());
        prepare(files, force);
        CertificateAuthority ca = CertificateAuthority.create(CA_NAME, rsaBits, caValidity);
        KeyPair server = CertificateAuthority.rsaKeyPair(rsaBits);
        X509Certificate certificate = ca.issueServer(server.getPublic(), names, validity);
        Pem.writePrivateKey(caKey(), ca.privateKey(), force);
        Pem.writeCertificates(caCert(), List.of(ca.certificate()), force);
        Pem.writePrivateKey(serverKey(), server.getPrivate(), force);
        Pem.writeCertificates(serverCert(), chain(certificate, ca), force);
        LOG.debug("created CA and server certificate dir={} names={} caFingerprint={}", dir, names,
                Fingerprint.sha256(ca.certificate()));
        return new Issued(ca.certificate(), certificate, files);
    }

    /** A client certificate signed by the CA of this folder, which must exist. */
    public Issued issueClient(String name, int rsaBits, Duration validity, boolean force)
            throws PkiException, IOException {
        checkClientName(name);
        for (Path file : List.of(caCert(), caKey())) {
            if (!Files.exists(file)) {
                throw new PkiException("no CA in " + dir + ": " + file + " does not exist; create one with"
                        + " ferry certs init --dir " + dir + " (or give the folder that holds ca.crt and ca.key)");
            }
        }
        List<Path> files = List.of(clientKey(name), clientCert(name));
        prepare(files, force);
        CertificateAuthority ca = CertificateAuthority.load(caCert(), caKey());
        KeyPair client = CertificateAuthority.rsaKeyPair(rsaBits);
        X509Certificate certificate = ca.issueClient(client.getPublic(), name, validity);
        Pem.writePrivateKey(clientKey(name), client.getPrivate(), force);
        Pem.writeCertificates(clientCert(name), chain(certificate, ca), force);
        LOG.debug("created client certificate dir={} client={}", dir, name);
        return new Issued(ca.certificate(), certificate, files);
    }

    private void prepare(List<Path> files, boolean force) throws IOException {
        Files.createDirectories(dir);
        if (force) {
            return;
        }
        List<String> existing = new ArrayList<>();
        for (Path file : files) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                existing.add(file.getFileName().toString());
            }
        }
        if (!existing.isEmpty()) {
            String others = existing.size() == 1 ? ""
                    : ", as do " + String.join(", ", existing.subList(1, existing.size()));
            throw new FileAlreadyExistsException(dir.resolve(existing.get(0)).toString(), null, "already exists"
                    + others + "; nothing was written; run again with --force to replace "
                    + (existing.size() == 1 ? "it" : "them"));
        }
    }

    private static List<X509Certificate> chain(X509Certificate leaf, CertificateAuthority ca) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(ca.intermediates());
        return chain;
    }
}
