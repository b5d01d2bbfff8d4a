package dev.ferry.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGTERM or SIGINT (Ctrl-C) so an agent can stop cleanly and exit with code 0 instead
 * of being cut off by the JVM's default handling. Uses {@code sun.misc.Signal}, the JDK's
 * supported way to handle signals (module jdk.unsupported, JEP 260).
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Blocks the calling thread until SIGTERM or SIGINT arrives. */
    static void awaitTermination() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                log.info("received SIG{}, stopping", signal.getName());
                stop.countDown();
            });
        }
        stop.await();
    }
}
