package dev.ferry.pki;

import org.bouncycastle.util.IPAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Server names as they appear in certificates and in the configuration: DNS names, wildcard
 * patterns ({@code *.example.com}) and IP literals. Nothing here ever asks DNS. Stateless and
 * thread-safe.
 */
public final class HostNames {
    private static final int MAX_NAME_LENGTH = 253;
    // Letters, digits, '-' and (leniently, for Windows host names) '_'; no '-' at either end.
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

    private HostNames() {
    }

    /** Lower case, without a trailing dot and without the brackets of {@code [::1]}. */
    public static String normalize(String name) {
        Objects.requireNonNull(name, "name");
        String result = name.strip().toLowerCase(Locale.ROOT);
        if (result.length() > 2 && result.startsWith("[") && result.endsWith("]")) {
            result = result.substring(1, result.length() - 1);
        }
        if (result.endsWith(".")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    /**
     * The address of an IPv4 or IPv6 literal, or empty for anything else. Strict: no octal or
     * shortened IPv4 forms ({@code 010.1.1.1}, {@code 127.1}), which resolvers read differently.
     */
    public static Optional<InetAddress> ipAddress(String name) {
        String text = normalize(name);
        try {
            if (IPV4.matcher(text).matches()) {
                String[] parts = text.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int value = Integer.parseInt(parts[i]);
                    if (value > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) value;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            // A valid IPv6 literal starts with a hex digit or ':', so getByName parses it and
            // never falls back to a DNS lookup.
            if (text.indexOf(':') >= 0 && IPAddress.isValidIPv6(text)) {
                return Optional.of(InetAddress.getByName(text));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public static boolean isIpLiteral(String name) {
        return ipAddress(name).isPresent();
    }

    /**
     * Checks a name to be written into a server certificate: an IP literal, or a DNS name whose
     * left-most label may be {@code *}.
     */
    public static void checkServerName(String name) throws PkiException {
        if (isIpLiteral(name)) {
            return;
        }
        String text = normalize(name);
        String problem = dnsProblem(text);
        if (problem != null) {
            throw new PkiException("'" + CertificateNames.printable(name) + "' is not a DNS name or IP address: "
                    + problem + " (DNS names are dot-separated labels of letters, digits and '-';"
                    + " a left-most '*.' makes a wildcard, as in *.example.com)");
        }
    }

    private static String dnsProblem(String text) {
        if (text.isEmpty()) {
            return "it is empty";
        }
        if (text.length() > MAX_NAME_LENGTH) {
            return "it is " + text.length() + " characters, over the limit of " + MAX_NAME_LENGTH;
        }
        String[] labels = text.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            if (i == 0 && labels[i].equals("*") && labels.length >= 3) {
                continue;
            }
            if (labels[i].isEmpty()) {
                return "it has an empty label";
            }
            if (labels[i].equals("*")) {
                return "a wildcard must be the left-most label of a name with at least two more labels";
            }
            if (!LABEL.matcher(labels[i]).matches()) {
                return "label '" + CertificateNames.printable(labels[i]) + "' is not allowed";
            }
        }
        return null;
    }

    /**
     * Whether a DNS name from a certificate matches a host name (RFC 6125 section 6.4): equal
     * ignoring case, or a pattern {@code *.example.com} whose '*' stands for exactly one whole
     * label. Partial wildcards ({@code f*.example.com}) and wildcards over fewer than two labels
     * ({@code *.com}) never match.
     */
    public static boolean matchesDns(String pattern, String host) {
        String p = normalize(pattern);
        String h = normalize(host);
        if (p.isEmpty() || h.isEmpty() || h.indexOf('*') >= 0) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return p.indexOf('*') < 0 && p.equals(h);
        }
        String suffix = p.substring(1);
        if (suffix.indexOf('*') >= 0 || suffix.chars().filter(c -> c == '.').count() < 2) {
            return false;
        }
        if (!h.endsWith(suffix)) {
            return false;
        }
        String first = h.substring(0, h.length() - suffix.length());
        return !first.isEmpty() && first.indexOf('.') < 0;
    }
}
