package dev.ferry.security.cp2;

import dev.ferry.security.HandshakeException;
import dev.ferry.security.rsa.RsaOaep;
import dev.ferry.security.rsa.SeedSignatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the JIT over everything a cp2 session computes, on a daemon thread ({@code ferry-warm-up-N})
 * started with the plugin, so that an agent is fast from its first sessions without waiting for
 * it: a fresh JVM runs X25519 (pure Java in JDK 17), RSA, HKDF and AES-GCM interpreted, which made
 * the first hundred handshakes 2-3x slower than warm ones and the first gigabyte several times
 * slower (PERFORMANCE-NOTES.md, trap 1; docs/BENCHMARKS.md). Every operation uses throwaway keys
 * or the agent's own public values and touches no session state; a handshake that comes first is
 * simply served colder. A failure is logged and changes nothing else.
 */
final class Cp2WarmUp {
    private static final Logger log = LoggerFactory.getLogger(Cp2WarmUp.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** X25519 key pairs and agreements: ~300 rounds bring both to compiled code. */
    static final int EXCHANGE_ROUNDS = 300;
    /** RSA private-key operations on the server (~1 ms each once compiled). */
    static final int PRIVATE_ROUNDS = 60;
    /** RSA public-key operations on the client (~0.2 ms each). */
    static final int PUBLIC_ROUNDS = 300;
    private static final byte[] MESSAGE = "ferry/1 warm-up".getBytes(StandardCharsets.US_ASCII);

    private Cp2WarmUp() {
    }

    /**
     * The client's side: key exchange, HKDF, AES-GCM, and RSA-OAEP encryption and PSS verification
     * with {@code caKey} (the CA's public key; skipped when it is not RSA).
     */
    static CompletableFuture<Void> client(PublicKey caKey, SecureRandom random) {
        Objects.requireNonNull(caKey, "caKey");
        return inBackground("client", () -> {
            exchange(random);
            if (caKey instanceof RSAPublicKey rsa) {
                byte[] notASignature = new byte[RsaOaep.modulusBytes(rsa)];
                for (int i = 0; i < PUBLIC_ROUNDS; i++) {
                    RsaOaep.encrypt(rsa, MESSAGE);
                    notASignature[notASignature.length - 1] = (byte) (i | 1);
                    try {
                        // Fails, after the same modular exponentiation and padding check a real one takes.
                        SeedSignatures.verify(rsa, MESSAGE, notASignature);
                    } catch (SignatureException e) {
                        // as expected of a made-up signature
                    }
                }
            }
            GcmSealer.warmUp();
        });
    }

    /** The server's side: key exchange, PSS signing and RSA-OAEP decryption with its own key, HKDF, AES-GCM. */
    static CompletableFuture<Void> server(PrivateKey key, RSAPublicKey publicKey, SecureRandom random) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(publicKey, "publicKey");
        return inBackground("server", () -> {
            exchange(random);
            byte[] wrapped = RsaOaep.encrypt(publicKey, MESSAGE);
            for (int i = 0; i < PRIVATE_ROUNDS; i++) {
                SeedSignatures.sign(key, MESSAGE);
                RsaOaep.decrypt(key, wrapped);
            }
            GcmSealer.warmUp();
        });
    }

    private static void exchange(SecureRandom random) throws GeneralSecurityException, HandshakeException {
        byte[] salt = new byte[32];
        for (int i = 0; i < EXCHANGE_ROUNDS; i++) {
            KeyPair own = X25519.generate(random);
            KeyPair peer = X25519.generate(random);
            byte[] dh = X25519.agree(own.getPrivate(), X25519.decode(X25519.encode(peer.getPublic())));
            Hkdf.derive(salt, dh, MESSAGE, 32);
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static CompletableFuture<Void> inBackground(String role, Work work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            long start = System.nanoTime();
            try {
                work.run();
                log.debug("cp2 warm-up done role={} ms={}", role, (System.nanoTime() - start) / 1_000_000);
                done.complete(null);
            } catch (Exception | LinkageError e) {
                log.warn("cp2 warm-up failed role={} reason={}; sessions work, the first ones more slowly", role,
                        e.toString());
                done.completeExceptionally(e);
            }
        }, "ferry-warm-up-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        // A hint that it matters less than a session: Linux ignores Java priorities unless the JVM
        // runs with -XX:ThreadPriorityPolicy=1, so on a busy machine it shares the cores equally.
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return done;
    }
}
