package dev.ferry.e2e;

import dev.ferry.testing.RawClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threads of one attack on a server (HostileInputTest): each runs a {@link Round} again and
 * again, connecting anew each time, until {@link #close()} stops them and waits for them to end.
 * Counters and findings are safe to read from any thread.
 */
final class Attackers implements AutoCloseable {
    private final String name;
    private final int port;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong connections = new AtomicLong();
    final AtomicLong frames = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<String> refusedNames = new CopyOnWriteArrayList<>();

    /** Attackers named {@code name} (their threads' names) against the server on 127.0.0.1:{@code port}. */
    Attackers(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** What one attacker does, again and again until stopped; {@code n} counts its rounds over all threads. */
    @FunctionalInterface
    interface Round {
        void run(long n, Attackers self) throws Exception;
    }

    void loop(int threadCount, Round round) {
        AtomicLong rounds = new AtomicLong();
        for (int t = 0; t < threadCount; t++) {
            Thread thread = new Thread(() -> {
                while (!stopped()) {
                    try {
                        round.run(rounds.getAndIncrement(), this);
                    } catch (Exception e) {
                        // The server cut the attacker: expected; the next round connects again.
                    }
                }
            }, "attacker-" + name + "-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    boolean stopped() {
        return stop.get();
    }

    boolean alive() {
        return threads.stream().allMatch(Thread::isAlive);
    }

    RawClient connect() throws IOException {
        RawClient client = new RawClient(port);
        connections.incrementAndGet();
        return client;
    }

    Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        connections.incrementAndGet();
        return socket;
    }

    SocketChannel idleChannel() throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.configureBlocking(false);
        connections.incrementAndGet();
        return channel;
    }

    /** The attacker's pace: waits {@code millis}, or less once stopped. */
    void pace(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!stopped() && System.nanoTime() < until) {
            Thread.sleep(Math.min(50, millis)); // the attack's own rhythm, not a wait for a condition
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(threads).as("attack threads ended").noneMatch(Thread::isAlive);
    }
}
