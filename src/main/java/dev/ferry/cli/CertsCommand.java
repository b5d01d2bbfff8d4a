package dev.ferry.cli;

import dev.ferry.pki.CertificateFolder;
import dev.ferry.pki.Fingerprint;
import dev.ferry.pki.HostNames;
import dev.ferry.pki.PkiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ferry certs}: makes a CA, a server certificate and client certificates for the secured
 * protocols. Wiring only: the work is done by {@link CertificateFolder}. A {@link PkiException} is
 * rethrown as an {@link IOException} so that {@link Main} reports it as one line with exit code 1.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create the certificates of the secured protocols (ap, cp1, cp2).",
        subcommands = {CertsCommand.Init.class, CertsCommand.Client.class})
final class CertsCommand implements Runnable {
    private static final Set<Integer> RSA_BITS = Set.of(2048, 3072, 4096);
    private static final int MAX_DAYS = 36_500;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: init or client");
    }

    /** {@code ferry certs init}: a CA and a server certificate signed by it. */
    @Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Create ca.key, ca.crt, server.key and server.crt. Give ca.crt to every client"
                    + " (ferry.security.ca-cert); keep ca.key secret.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "certs",
                description = "Folder to write into (created if missing). Default: ${DEFAULT-VALUE}.")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME",
                description = "A name clients use to reach the server: DNS name or IP address; repeat for more."
                        + " Default: localhost, 127.0.0.1 and this machine's host name.")
        List<String> names;

        @Option(names = "--ca-days", paramLabel = "N", defaultValue = "3650",
                description = "Days the CA is valid. Default: ${DEFAULT-VALUE}.")
        int caDays;

        @Mixin
        KeyOptions key;

        @Override
        public Integer call() throws IOException {
            checkBits(spec, key.bits);
            checkDays(spec, "--days", key.days);
            checkDays(spec, "--ca-days", caDays);
            List<String> serverNames = names == null || names.isEmpty() ? CertificateFolder.localNames() : names;
            for (String name : serverNames) {
                try {
                    HostNames.checkServerName(name);
                } catch (PkiException e) {
                    throw new ParameterException(spec.commandLine(), "--name " + e.getMessage());
                }
            }
            CertificateFolder.Issued issued;
            try {
                issued = new CertificateFolder(dir).init(serverNames, key.bits, Duration.ofDays(caDays),
                        Duration.ofDays(key.days), key.force);
            } catch (PkiException e) {
                throw new IOException(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            report(out, issued);
            out.printf("server names: %s%n", String.join(", ", serverNames));
            out.printf("next: give %s to every client (ferry.security.ca-cert); keep %s secret%n",
                    issued.files().get(1), issued.files().get(0));
            out.flush();
            return 0;
        }
    }

    /** {@code ferry certs client NAME}: a client certificate signed by the CA of {@code --dir}. */
    @Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Create client-NAME.key and client-NAME.crt, signed by the CA in --dir.")
    static final class Client implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The client's name (its certificate's CN).")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "certs",
                description = "Folder holding ca.crt and ca.key, and where the files are written."
                        + " Default: ${DEFAULT-VALUE}.")
        Path dir;

        @Mixin
        KeyOptions key;

        @Override
        public Integer call() throws IOException {
            checkBits(spec, key.bits);
            checkDays(spec, "--days", key.days);
            try {
                CertificateFolder.checkClientName(name);
            } catch (PkiException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            CertificateFolder.Issued issued;
            try {
                issued = new CertificateFolder(dir).issueClient(name, key.bits, Duration.ofDays(key.days), key.force);
            } catch (PkiException e) {
                throw new IOException(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            report(out, issued);
            out.flush();
            return 0;
        }
    }

    private static void report(PrintWriter out, CertificateFolder.Issued issued) {
        for (Path file : issued.files()) {
            boolean key = file.getFileName().toString().endsWith(".key");
            out.printf("wrote %s%s%n", file, key ? " (private key, owner-only)" : "");
        }
        X509Certificate certificate = issued.certificate();
        out.printf("certificate %s valid until %s%n", certificate.getSubjectX500Principal().getName(),
                certificate.getNotAfter().toInstant());
        out.printf("CA %s SHA-256 fingerprint: %s%n", issued.ca().getSubjectX500Principal().getName(),
                Fingerprint.sha256(issued.ca()));
    }

    private static void checkBits(CommandSpec spec, int bits) {
        if (!RSA_BITS.contains(bits)) {
            throw new ParameterException(spec.commandLine(), "--bits must be 2048, 3072 or 4096, got " + bits);
        }
    }

    private static void checkDays(CommandSpec spec, String option, int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new ParameterException(spec.commandLine(), option + " must be 1 to " + MAX_DAYS + ", got " + days);
        }
    }

    /** The options both subcommands share: key size, validity, and whether to replace files. */
    static final class KeyOptions {
        @Option(names = "--bits", paramLabel = "BITS", defaultValue = "2048",
                description = "RSA key size: 2048, 3072 or 4096. Default: ${DEFAULT-VALUE}.")
        int bits;

        @Option(names = "--days", paramLabel = "N", defaultValue = "825",
                description = "Days the new certificate is valid. Default: ${DEFAULT-VALUE}.")
        int days;

        @Option(names = "--force", description = "Replace existing files.")
        boolean force;
    }
}
