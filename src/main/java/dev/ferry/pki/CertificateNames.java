package dev.ferry.pki;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

import javax.security.auth.x500.X500Principal;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reads the names out of a certificate (subject CN, subjectAltName DNS and IP entries) and
 * formats them for messages. Text taken from a certificate is escaped and shortened by
 * {@link #printable}, because a peer chooses it and it ends up in logs.
 */
final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final int MAX_SHOWN_CHARS = 100;

    private CertificateNames() {
    }

    /** {@code CN=name} when the subject has a CN, else the whole subject. */
    static String describe(X509Certificate certificate) {
        return describe(certificate.getSubjectX500Principal());
    }

    static String describe(X500Principal principal) {
        Optional<String> cn = commonName(principal);
        if (cn.isPresent()) {
            return "CN=" + printable(cn.get());
        }
        String full = principal.getName(X500Principal.RFC2253);
        return full.isEmpty() ? "(empty subject)" : printable(full);
    }

    /** {@code CN=leaf issued by CN=ca}, for listing a presented chain. */
    static String describeLink(X509Certificate certificate) {
        return describe(certificate) + " issued by " + describe(certificate.getIssuerX500Principal());
    }

    static List<String> describeChain(List<X509Certificate> chain) {
        List<String> links = new ArrayList<>();
        for (X509Certificate certificate : chain) {
            links.add(describeLink(certificate));
        }
        return links;
    }

    /** The most specific (last) CN of a name, if it has one. */
    static Optional<String> commonName(X500Principal principal) {
        RDN[] rdns;
        try {
            rdns = X500Name.getInstance(principal.getEncoded()).getRDNs(BCStyle.CN);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (rdns.length == 0) {
            return Optional.empty();
        }
        ASN1Encodable value = rdns[rdns.length - 1].getFirst().getValue();
        return Optional.of(value instanceof ASN1String text ? text.getString() : value.toString());
    }

    static Optional<String> commonName(X509Certificate certificate) {
        return commonName(certificate.getSubjectX500Principal());
    }

    static boolean hasSubjectAltNames(X509Certificate certificate) {
        return certificate.getExtensionValue("2.5.29.17") != null;
    }

    /** The DNS names and IP addresses of the subjectAltName, in certificate order, as text. */
    static List<String> altNames(X509Certificate certificate) throws CertificateCheckException {
        List<String> names = new ArrayList<>();
        for (List<?> entry : sanEntries(certificate)) {
            int type = (Integer) entry.get(0);
            if (type == SAN_DNS) {
                names.add(printable(String.valueOf(entry.get(1))));
            } else if (type == SAN_IP) {
                names.add(HostNames.ipAddress(String.valueOf(entry.get(1)))
                        .map(InetAddress::getHostAddress)
                        .orElse(printable(String.valueOf(entry.get(1)))));
            }
        }
        return names;
    }

    static List<String> dnsNames(X509Certificate certificate) throws CertificateCheckException {
        List<String> names = new ArrayList<>();
        for (List<?> entry : sanEntries(certificate)) {
            if ((Integer) entry.get(0) == SAN_DNS) {
                names.add(String.valueOf(entry.get(1)));
            }
        }
        return names;
    }

    static List<InetAddress> ipAddresses(X509Certificate certificate) throws CertificateCheckException {
        List<InetAddress> addresses = new ArrayList<>();
        for (List<?> entry : sanEntries(certificate)) {
            if ((Integer) entry.get(0) == SAN_IP) {
                HostNames.ipAddress(String.valueOf(entry.get(1))).ifPresent(addresses::add);
            }
        }
        return addresses;
    }

    private static Collection<List<?>> sanEntries(X509Certificate certificate) throws CertificateCheckException {
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            return entries == null ? List.of() : entries;
        } catch (CertificateParsingException e) {
            throw new CertificateCheckException("certificate " + describe(certificate)
                    + " has a malformed subjectAltName extension: " + e.getMessage(), e);
        }
    }

    /** The text with control characters shown as {@code \\uXXXX} and cut to a bounded length. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < text.length() && out.length() < MAX_SHOWN_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < text.length()) {
            out.append("...");
        }
        return out.toString();
    }
}
