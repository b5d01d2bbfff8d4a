package dev.ferry.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ferry.security} and the server's client-authentication keys, validated. Paths are not
 * read here: the plugin that needs a file reads it when it starts and names the key if it cannot.
 *
 * @param protocol the security plugin both agents use
 * @param caCert the CA that signs server certificates (the client's trust anchor)
 * @param serverCert the server's certificate chain, leaf first
 * @param serverKey the server's private key
 * @param expectedServerName the name the server's certificate must carry (default: the client's server-host)
 * @param clientCert the client's certificate chain, when it authenticates itself
 * @param clientKey the client's private key, when it authenticates itself
 * @param minRsaBits the smallest RSA key accepted in a certificate
 * @param requireClientCertificate the server accepts only clients with a certificate from clientCa
 * @param clientCa the CA that signs client certificates
 * @param allowedClients client names accepted (empty: any certificate signed by clientCa)
 */
public record SecuritySettings(String protocol, Path caCert, Path serverCert, Path serverKey,
                               String expectedServerName, Optional<Path> clientCert, Optional<Path> clientKey,
                               int minRsaBits, boolean requireClientCertificate, Path clientCa,
                               List<String> allowedClients) {
    public SecuritySettings {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(caCert, "caCert");
        Objects.requireNonNull(serverCert, "serverCert");
        Objects.requireNonNull(serverKey, "serverKey");
        Objects.requireNonNull(expectedServerName, "expectedServerName");
        Objects.requireNonNull(clientCert, "clientCert");
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(clientCa, "clientCa");
        allowedClients = List.copyOf(allowedClients);
    }
}
