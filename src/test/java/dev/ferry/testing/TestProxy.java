package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 between a client and a server on loopback, for attack and
 * confidentiality tests: it records every byte of every connection in each direction, and may
 * rewrite either direction in transit (flip a bit, replace a frame) as a man in the middle would.
 *
 * <p>Threads: {@code test-proxy-accept} accepts; each connection has one thread per direction
 * ({@code test-proxy-N-c2s} and {@code -s2c}) that reads a chunk, records it, and forwards it (or
 * its rewrite). A rewrite and the tampering switch are taken when a connection is accepted, so a
 * connection is either tampered from its first byte or not at all; switching tampering off lets
 * the next connection through untouched. Recordings are bounded ({@code maxBytes} per direction
 * and connection; beyond it the connection is cut) and so is the number of connections.
 * {@link #close()} closes every socket and joins every thread.
 *
 * <p>Network faults ({@link Fault}): planned for the Nth connection accepted, each strikes one
 * direction at a byte offset (the bytes before it are forwarded first) or after a time from the
 * accept ({@code test-proxy-timer} strikes those): a drop, a reset, a stall that holds the direction
 * back for a while with the sockets open, or 1-byte writes from then on. A direction with a rewrite
 * takes no faults. {@link Connection#strikes()} tells what struck, so a test can check that its
 * fault happened.
 */
public final class TestProxy implements AutoCloseable {
    /** Connections accepted at most; later ones are closed at once. */
    public static final int MAX_CONNECTIONS = 256;
    /** Recorded bytes per direction and connection unless given. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

    private static final int CHUNK = 64 * 1024;
    private static final long JOIN_MILLIS = TimeUnit.SECONDS.toMillis(5);
    private static final long STALL_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Which way bytes travel through the proxy. */
    public enum Direction {
        CLIENT_TO_SERVER("c2s"), SERVER_TO_CLIENT("s2c");

        private final String label;

        Direction(String label) {
            this.label = label;
        }
    }

    /**
     * Rewrites one direction of one connection. Called on that direction's thread after every chunk
     * with everything the sender has sent so far; returns what the receiver should have got so far.
     * Each result must begin with the previous one (bytes already forwarded cannot be taken back);
     * returning fewer bytes than were received holds the rest back until a later call.
     */
    @FunctionalInterface
    public interface Rewrite {
        /**
         * @param original every byte the sender sent so far in this direction (a fresh copy)
         * @param ended true once the sender closed its side: this is the last call, hold nothing back
         */
        byte[] apply(byte[] original, boolean ended);
    }

    private final int targetPort;
    private final int maxBytes;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Map<Direction, Rewrite> rewrites = new EnumMap<>(Direction.class);
    private final Map<Integer, List<Fault>> faultPlans = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean tampering;
    private volatile boolean closed;

    private TestProxy(int targetPort, int maxBytes) throws IOException {
        this.targetPort = targetPort;
        this.maxBytes = maxBytes;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
        this.acceptor.setDaemon(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "test-proxy-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A proxy on a free loopback port forwarding to {@code targetPort} on loopback, recording up to 16 MiB per direction. */
    public static TestProxy start(int targetPort) throws IOException {
        return start(targetPort, DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes the bytes recorded per direction and connection before the proxy cuts that connection */
    public static TestProxy start(int targetPort, int maxBytes) throws IOException {
        if (targetPort < 1 || targetPort > 65535 || maxBytes < 1) {
            throw new IllegalArgumentException("target port " + targetPort + " or limit " + maxBytes + " out of range");
        }
        TestProxy proxy = new TestProxy(targetPort, maxBytes);
        proxy.acceptor.start();
        return proxy;
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Sets (or with null removes) the rewrite of one direction, used while tampering is on. */
    public synchronized TestProxy rewrite(Direction direction, Rewrite rewrite) {
        Objects.requireNonNull(direction, "direction");
        if (rewrite != null && faultPlans.values().stream().flatMap(List::stream)
                .anyMatch(fault -> fault.direction() == direction)) {
            throw new IllegalStateException("faults are planned on " + direction + "; a direction takes a rewrite or"
                    + " faults, not both");
        }
        rewrites.put(direction, rewrite);
        return this;
    }

    /**
     * Plans faults for the {@code connection}th connection accepted (1 for the first), added to any
     * planned before. Plan before that connection arrives.
     */
    public synchronized TestProxy fault(int connection, Fault... faults) {
        if (connection < 1 || connection > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connection " + connection + " out of 1.." + MAX_CONNECTIONS);
        }
        for (Fault fault : faults) {
            if (rewrites.get(fault.direction()) != null) {
                throw new IllegalStateException(fault.direction() + " has a rewrite; a direction takes a rewrite"
                        + " or faults, not both");
            }
        }
        faultPlans.merge(connection, List.of(faults), (before, more) -> {
            List<Fault> all = new ArrayList<>(before);
            all.addAll(more);
            return List.copyOf(all);
        });
        return this;
    }

    /** Turns tampering on or off for the connections accepted from now on. */
    public TestProxy tampering(boolean on) {
        tampering = on;
        return this;
    }

    /** Every connection accepted so far, in order. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** The connections that were tampered with. */
    public List<Connection> tampered() {
        return connections.stream().filter(Connection::tampered).toList();
    }

    /**
     * A rewrite that replaces the first occurrence of {@code from} with {@code to}. Until it has
     * seen {@code from}, it holds back the last {@code from.length - 1} bytes, which could be its start.
     */
    public static Rewrite replaceFirst(byte[] from, byte[] to) {
        byte[] needle = from.clone();
        byte[] replacement = to.clone();
        if (needle.length == 0) {
            throw new IllegalArgumentException("nothing to replace");
        }
        return (original, ended) -> {
            int at = indexOf(original, needle);
            if (at < 0) {
                return ended ? original : Arrays.copyOf(original, Math.max(0, original.length - needle.length + 1));
            }
            byte[] result = new byte[original.length - needle.length + replacement.length];
            System.arraycopy(original, 0, result, 0, at);
            System.arraycopy(replacement, 0, result, at, replacement.length);
            System.arraycopy(original, at + needle.length, result, at + replacement.length,
                    original.length - at - needle.length);
            return result;
        };
    }

    /** The first index of {@code needle} in {@code haystack}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Stops accepting, closes every connection and waits for the proxy's threads to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        timer.shutdownNow();
        for (Connection connection : connections) {
            connection.close();
        }
        try {
            acceptor.join(JOIN_MILLIS);
            for (Connection connection : connections) {
                connection.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Map<Direction, Rewrite> chosen = new EnumMap<>(Direction.class);
            boolean tamper = tampering;
            if (tamper) {
                synchronized (this) {
                    rewrites.forEach((direction, rewrite) -> {
                        if (rewrite != null) {
                            chosen.put(direction, rewrite);
                        }
                    });
                }
            }
            int id = connections.size() + 1;
            Connection connection = new Connection(id, client, server, chosen, faultPlans.getOrDefault(id, List.of()));
            connections.add(connection);
            if (closed) {
                connection.close();
            }
            connection.start();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing on the way out; nothing to report
        }
    }

    /** One relayed connection: its two recordings and whether it was tampered with. */
    public final class Connection {
        private final int id;
        private final Socket client;
        private final Socket server;
        private final Map<Direction, Pipe> pipes = new EnumMap<>(Direction.class);
        private final boolean tampered;
        private final AtomicInteger ended = new AtomicInteger();
        private final List<Fault> faults;
        private final List<String> strikes = new CopyOnWriteArrayList<>();
        private final CountDownLatch closing = new CountDownLatch(1);

        private Connection(int id, Socket client, Socket server, Map<Direction, Rewrite> rewrites, List<Fault> faults) {
            this.id = id;
            this.client = client;
            this.server = server;
            this.tampered = !rewrites.isEmpty();
            this.faults = faults;
            pipes.put(Direction.CLIENT_TO_SERVER, new Pipe(Direction.CLIENT_TO_SERVER, client, server,
                    rewrites.get(Direction.CLIENT_TO_SERVER)));
            pipes.put(Direction.SERVER_TO_CLIENT, new Pipe(Direction.SERVER_TO_CLIENT, server, client,
                    rewrites.get(Direction.SERVER_TO_CLIENT)));
        }

        /** 1 for the first connection accepted. */
        public int id() {
            return id;
        }

        /** True when a rewrite applied to this connection. */
        public boolean tampered() {
            return tampered;
        }

        /** Every byte the sender sent in {@code direction} so far, before any rewrite. */
        public byte[] sent(Direction direction) {
            return pipes.get(direction).original.snapshot();
        }

        /** Every byte the proxy passed on in {@code direction} so far, after any rewrite. */
        public byte[] forwarded(Direction direction) {
            return pipes.get(direction).forwarded.snapshot();
        }

        /** True once both directions ended (closed by a peer, cut by the proxy, or the proxy closed). */
        public boolean finished() {
            return ended.get() == pipes.size();
        }

        /** What struck this connection so far, in order, e.g. {@code "c2s STALL at byte 1048600"}. */
        public List<String> strikes() {
            return List.copyOf(strikes);
        }

        /** True once a planned fault struck {@code direction}. */
        public boolean struck(Direction direction) {
            return strikes.stream().anyMatch(strike -> strike.startsWith(direction.label + " "));
        }

        /** Ends any stall of this connection now, so a test can hold data back exactly as long as it needs. */
        public void endStalls() {
            pipes.values().forEach(pipe -> pipe.stallUntilNanos = System.nanoTime());
        }

        /** Why the proxy cut this connection (a rewrite that broke its contract, a recording over its limit), or null. */
        public String problem() {
            for (Pipe pipe : pipes.values()) {
                if (pipe.problem != null) {
                    return pipe.direction.label + ": " + pipe.problem;
                }
            }
            return null;
        }

        private void start() {
            for (Fault fault : faults) {
                if (fault.trigger() instanceof Fault.After after) {
                    try {
                        timer.schedule(() -> {
                            if (!finished()) {
                                strike(fault, "after " + after.delay().toMillis() + "ms");
                            }
                        }, after.delay().toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        // the proxy is closing: the connection is closed with it
                    }
                } else {
                    pipes.get(fault.direction()).pending.add(fault);
                }
            }
            pipes.values().forEach(p -> p.thread.start());
        }

        private void close() {
            closing.countDown();
            closeQuietly(client);
            closeQuietly(server);
        }

        /** Applies {@code fault}; false when it ended the connection. Any thread. */
        private boolean strike(Fault fault, String where) {
            strikes.add(fault.direction().label + " " + fault.kind() + " " + where);
            Pipe pipe = pipes.get(fault.direction());
            switch (fault.kind()) {
                case DROP -> close();
                case RESET -> {
                    for (Socket socket : List.of(client, server)) {
                        try {
                            socket.setSoLinger(true, 0);
                        } catch (SocketException e) {
                            // already closed: nothing left to reset
                        }
                    }
                    close();
                }
                case STALL -> pipe.stallUntilNanos = System.nanoTime() + fault.stall().toNanos();
                case FRAGMENT -> pipe.fragmenting = true;
            }
            return fault.kind() == Fault.Kind.STALL || fault.kind() == Fault.Kind.FRAGMENT;
        }

        private void join() throws InterruptedException {
            for (Pipe pipe : pipes.values()) {
                pipe.thread.join(JOIN_MILLIS);
            }
        }

        @Override
        public String toString() {
            return "connection " + id + (tampered ? " (tampered)" : "");
        }

        /** One direction: reads from one socket, records, rewrites, writes to the other. */
        private final class Pipe {
            private final Direction direction;
            private final Socket from;
            private final Socket to;
            private final Rewrite rewrite;
            private final Recording original = new Recording(maxBytes);
            private final Recording forwarded = new Recording(maxBytes);
            private final Thread thread;
            /** Faults that strike at a byte offset and have not struck yet. */
            private final List<Fault> pending = new CopyOnWriteArrayList<>();
            private volatile String problem;
            private volatile long stallUntilNanos = System.nanoTime();
            private volatile boolean fragmenting;

            Pipe(Direction direction, Socket from, Socket to, Rewrite rewrite) {
                this.direction = direction;
                this.from = from;
                this.to = to;
                this.rewrite = rewrite;
                this.thread = new Thread(this::run, "test-proxy-" + id + "-" + direction.label);
                this.thread.setDaemon(true);
            }

            private void run() {
                byte[] chunk = new byte[CHUNK];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                        if (!original.append(chunk, 0, n)) {
                            cut("more than " + maxBytes + " bytes in one direction; raise the proxy's limit");
                            return;
                        }
                        if (!forward(out, false, chunk, n)) {
                            return;
                        }
                    }
                    forward(out, true, chunk, 0);
                    // Half-close, as the sender did: the receiver sees the end of the stream.
                    to.shutdownOutput();
                } catch (SocketException e) {
                    // A reset, or the other direction closed the sockets: the connection is over.
                    close();
                } catch (IOException | RuntimeException e) {
                    cut(e.toString());
                } finally {
                    if (ended.incrementAndGet() == pipes.size()) {
                        close();
                    }
                }
            }

            /** Forwards a chunk (or its rewrite); false when a fault ended the connection. */
            private boolean forward(OutputStream out, boolean senderEnded, byte[] chunk, int n) throws IOException {
                if (rewrite == null) {
                    return pending.isEmpty() ? send(out, chunk, 0, n) : forwardAroundFaults(out, chunk, n);
                }
                byte[] sent = forwarded.snapshot();
                byte[] result = rewrite.apply(original.snapshot(), senderEnded);
                if (result.length < sent.length || !Arrays.equals(result, 0, sent.length, sent, 0, sent.length)) {
                    throw new IllegalStateException("the rewrite changed bytes it had already let through (it must"
                            + " only extend its previous result)");
                }
                if (!forwarded.append(result, sent.length, result.length - sent.length)) {
                    throw new IllegalStateException("the rewrite produced more than " + maxBytes + " bytes");
                }
                out.write(result, sent.length, result.length - sent.length);
                return true;
            }

            /** Forwards a chunk up to each fault that strikes inside it, strikes it, and goes on unless it cut. */
            private boolean forwardAroundFaults(OutputStream out, byte[] chunk, int n) throws IOException {
                long base = original.size() - n;
                int done = 0;
                while (true) {
                    byte[] received = original.snapshot();
                    Fault next = null;
                    long at = Long.MAX_VALUE;
                    for (Fault fault : pending) {
                        long offset = ((Fault.AtByte) fault.trigger()).locator().offset(Connection.this, received);
                        if (offset >= 0 && offset <= base + n && Math.max(offset, base + done) < at) {
                            next = fault;
                            at = Math.max(offset, base + done);
                        }
                    }
                    if (next == null) {
                        return send(out, chunk, done, n - done);
                    }
                    send(out, chunk, done, (int) (at - base) - done);
                    done = (int) (at - base);
                    pending.remove(next);
                    if (!strike(next, "at byte " + at)) {
                        return false;
                    }
                }
            }

            /** Writes bytes on, after any stall, in one write or (fragmenting) one write per byte. */
            private boolean send(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
                if (length <= 0) {
                    return true;
                }
                holdWhileStalled();
                forwarded.append(bytes, offset, length);
                if (fragmenting) {
                    for (int i = offset; i < offset + length; i++) {
                        out.write(bytes[i]);
                    }
                } else {
                    out.write(bytes, offset, length);
                }
                return true;
            }

            private void holdWhileStalled() throws IOException {
                long left;
                while ((left = stallUntilNanos - System.nanoTime()) > 0) {
                    try {
                        // Waits in short steps so that endStalls() takes effect promptly.
                        if (closing.await(Math.min(left, STALL_STEP_NANOS), TimeUnit.NANOSECONDS)) {
                            throw new SocketException("connection closed during a stall");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted during a stall");
                    }
                }
            }

            private void cut(String why) {
                problem = why;
                close();
            }
        }
    }

    /** A bounded, growing byte buffer written by one thread and read by any. */
    private static final class Recording {
        private final int limit;
        private byte[] bytes = new byte[1024];
        private int size;

        Recording(int limit) {
            this.limit = limit;
        }

        /** False (and nothing kept) when the bytes would exceed the limit. */
        synchronized boolean append(byte[] source, int offset, int length) {
            if ((long) size + length > limit) {
                return false;
            }
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + length, 2L * bytes.length)));
            }
            System.arraycopy(source, offset, bytes, size, length);
            size += length;
            return true;
        }

        synchronized byte[] snapshot() {
            return Arrays.copyOf(bytes, size);
        }

        synchronized int size() {
            return size;
        }
    }
}
