package dev.ferry.testing.seed;

import dev.ferry.security.SeedRecording;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the original ServerWithoutSecurity and ServerWithSecurityAP / CP1 / CP2, written
 * from PROTOCOL.md section 2 with JDK APIs only. It listens on 127.0.0.1, accepts ONE connection,
 * answers AUTH with a PSS signature over the message and the certificate file's bytes, takes KEY
 * (cp2), stores each FILE/DATA pair under the text after the last '/' of the name, and on CLOSE
 * closes and stops listening. Like the original it reads each field exactly, never ahead, and
 * ignores a mode its program has no case for (the next word is then read as a mode: it loses
 * sync); a broken connection or a DATA that does not decode ends it, as the original's exception
 * would. It closes as the original's close(2) does: with bytes left unread, by a reset alone. Unlike
 * the original, it writes each file under a hidden name first and moves it into place, so a
 * reader never sees half a file, and it refuses lengths above 64 MiB instead of allocating them.
 *
 * <p>The session runs on its own thread ("seed-server-PORT"); {@link #stored}, {@link #ending}
 * and {@link #awaitTermination} may be called from any thread; {@link #close} stops it.
 */
public final class SeedServer implements AutoCloseable {
    /** How the stand-in conducts its session; everything but {@link #NORMAL} is a test's fault injection. */
    public enum Behaviour {
        NORMAL,
        /** Stores every file, then on CLOSE waits for {@link #releaseClose} before closing. */
        HOLD_AT_CLOSE,
        /**
         * Reads the first DATA and closes without storing it, as the original process ending there
         * would: in order if nothing more had arrived yet, else with a reset.
         */
        DROP_AFTER_FIRST_DATA,
        /** Reads the first DATA and resets the connection (SO_LINGER 0) without storing it. */
        RESET_AFTER_FIRST_DATA
    }

    /** How the session ended. */
    public enum Ending { CLOSE, FAULT_INJECTED, BROKEN }

    /** The certificate file's bytes (sent as they are, as the original sends auth/server_signed.crt) and its key. */
    public record Identity(byte[] certificatePem, PrivateKey key) {
        public Identity {
            Objects.requireNonNull(certificatePem, "certificatePem");
            Objects.requireNonNull(key, "key");
        }

        /** From a PEM certificate file and a PKCS#8 PEM key file. */
        public static Identity load(Path certificate, Path key) throws IOException, GeneralSecurityException {
            return of(Files.readAllBytes(certificate), Files.readAllBytes(key));
        }

        public static Identity of(byte[] certificatePem, byte[] pkcs8Pem) throws GeneralSecurityException {
            byte[] der = SeedRecording.pemBody(new String(pkcs8Pem, StandardCharsets.US_ASCII), "PRIVATE KEY");
            return new Identity(certificatePem, KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)));
        }
    }

    private static final Duration HOLD_LIMIT = Duration.ofSeconds(60);

    private final SeedProtocol protocol;
    private final Identity identity;
    private final Path folder;
    private final Behaviour behaviour;
    private final ServerSocket listener;
    private final Thread thread;
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private final CountDownLatch heldAtClose = new CountDownLatch(1);
    private final CountDownLatch releaseClose = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Socket connection;
    private volatile Ending ending;
    private volatile Exception failure;

    private SeedServer(SeedProtocol protocol, Identity identity, Path folder, Behaviour behaviour, ServerSocket listener) {
        this.protocol = protocol;
        this.identity = identity;
        this.folder = folder;
        this.behaviour = behaviour;
        this.listener = listener;
        this.thread = new Thread(this::run, "seed-server-" + listener.getLocalPort());
        this.thread.setDaemon(true);
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0 for any free port) and serves one session.
     *
     * @param identity the certificate and key; null for {@link SeedProtocol#PLAIN}
     * @param folder   where files are stored (created if missing)
     */
    public static SeedServer start(SeedProtocol protocol, Identity identity, Path folder, int port, Behaviour behaviour)
            throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(behaviour, "behaviour");
        if (protocol.authenticates() != (identity != null)) {
            throw new IllegalArgumentException(protocol + " needs an identity exactly when it authenticates");
        }
        Files.createDirectories(folder);
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        SeedServer server = new SeedServer(protocol, identity, folder.toAbsolutePath().normalize(), behaviour, listener);
        server.thread.start();
        return server;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The names stored so far, in order. */
    public List<String> stored() {
        return List.copyOf(stored);
    }

    /** True once a {@link Behaviour#HOLD_AT_CLOSE} server has read CLOSE and waits for {@link #releaseClose}. */
    public boolean heldAtClose() {
        return heldAtClose.getCount() == 0;
    }

    public void releaseClose() {
        releaseClose.countDown();
    }

    /** True when the session ended and the port is free again within the deadline. */
    public boolean awaitTermination(Duration deadline) throws InterruptedException {
        return terminated.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How the session ended; null while it runs. */
    public Ending ending() {
        return ending;
    }

    /** Why a {@link Ending#BROKEN} session ended. */
    public Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops listening, drops the connection if there is one, and waits for the thread. */
    @Override
    public void close() throws IOException, InterruptedException {
        releaseClose.countDown();
        listener.close();
        Socket socket = connection;
        if (socket != null) {
            socket.close();
        }
        thread.join(5000);
    }

    private void run() {
        try (ServerSocket open = listener) {
            Socket socket = open.accept();
            connection = socket;
            try {
                ending = serve(socket);
            } finally {
                closeLikeTheOriginal(socket);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            failure = e;
            ending = Ending.BROKEN;
        } finally {
            terminated.countDown();
        }
    }

    /**
     * The original's close is close(2): with bytes left unread the kernel answers with a reset
     * alone. Java's Socket.close() first half-closes (a FIN, then the reset), unless SO_LINGER is
     * 0; so a stand-in that left bytes unread closes with SO_LINGER 0, which sends the reset alone.
     */
    private static void closeLikeTheOriginal(Socket socket) throws IOException {
        try {
            if (!socket.isClosed() && socket.getInputStream().available() > 0) {
                socket.setSoLinger(true, 0);
            }
        } finally {
            socket.close();
        }
    }

    private Ending serve(Socket socket) throws IOException, GeneralSecurityException {
        // Unbuffered on purpose: bytes left unread in the kernel at close make it send RST, as for the original.
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        String name = null;
        String fernetKey = null;
        while (true) {
            long mode = in.readLong();
            if (mode == SeedFrames.FILE) {
                name = new String(SeedFrames.readSized(in, "FILE"), StandardCharsets.UTF_8);
            } else if (mode == SeedFrames.DATA) {
                byte[] data = SeedFrames.readSized(in, "DATA");
                if (behaviour == Behaviour.DROP_AFTER_FIRST_DATA || behaviour == Behaviour.RESET_AFTER_FIRST_DATA) {
                    socket.setSoLinger(behaviour == Behaviour.RESET_AFTER_FIRST_DATA, 0);
                    return Ending.FAULT_INJECTED;
                }
                store(name, decode(data, fernetKey));
            } else if (mode == SeedFrames.CLOSE) {
                holdIfAsked();
                return Ending.CLOSE;
            } else if (mode == SeedFrames.AUTH && protocol.authenticates()) {
                byte[] message = SeedFrames.readSized(in, "AUTH");
                SeedFrames.writeSized(out, SeedCrypto.sign(identity.key(), message));
                SeedFrames.writeSized(out, identity.certificatePem());
                out.flush();
            } else if (mode == SeedFrames.KEY && protocol == SeedProtocol.CP2) {
                fernetKey = new String(SeedCrypto.oaepDecrypt(identity.key(), SeedFrames.readSized(in, "KEY")),
                        StandardCharsets.US_ASCII);
            }
            // Any other mode: ignored, as the original's match statement has no case for it.
        }
    }

    private byte[] decode(byte[] data, String fernetKey) throws GeneralSecurityException {
        return switch (protocol) {
            case PLAIN, AP -> data;
            case CP1 -> SeedCrypto.cp1Decode(identity.key(), data);
            case CP2 -> {
                if (fernetKey == null) {
                    throw new GeneralSecurityException("DATA before KEY: the original CP2 server has no key to open it");
                }
                yield SeedCrypto.fernetDecrypt(fernetKey, data);
            }
        };
    }

    private void store(String typedName, byte[] content) throws IOException {
        if (typedName == null) {
            throw new IOException("DATA before FILE: the original server has no name to store it under");
        }
        String name = typedName.substring(typedName.lastIndexOf('/') + 1);
        Path target = folder.resolve(name).normalize();
        if (name.isEmpty() || !folder.equals(target.getParent())) {
            throw new IOException("the stand-in does not store the name " + typedName);
        }
        Path part = Files.write(folder.resolve(".part-" + name), content);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        stored.add(name);
    }

    private void holdIfAsked() throws IOException {
        if (behaviour != Behaviour.HOLD_AT_CLOSE) {
            return;
        }
        heldAtClose.countDown();
        try {
            if (!releaseClose.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("held at CLOSE for " + HOLD_LIMIT + " without release");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while held at CLOSE", e);
        }
    }
}
