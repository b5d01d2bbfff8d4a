package dev.ferry.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The signals an agent handles: SIGTERM and SIGINT (Ctrl-C) stop it cleanly, with exit code 0,
 * instead of the JVM's default handling cutting it off; SIGHUP ({@code systemctl reload}) reloads
 * its configuration instead of stopping the JVM. Uses {@code sun.misc.Signal}, the JDK's supported
 * way to handle signals (module jdk.unsupported, JEP 260); handlers run on a thread of the JVM's.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * From now on, SIGHUP runs {@code reload}, which must return quickly. A process that inherited
     * SIGHUP ignored (started under {@code nohup}, or by a parent that ignores it) keeps ignoring
     * it whatever Java asks: that is logged, since {@code kill -HUP} then reloads nothing.
     */
    static void onHangup(Runnable reload) {
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            log.info("received SIGHUP, reloading the configuration");
            reload.run();
        });
        if (previous == sun.misc.SignalHandler.SIG_IGN) {
            log.warn("SIGHUP is ignored by this process (it was started under nohup or by a parent that ignores"
                    + " SIGHUP): kill -HUP and systemctl reload do not reload the configuration; start the agent"
                    + " without nohup, or keep ferry.config.watch on so that a saved edit is applied");
        }
    }

    /**
     * Blocks the calling thread until SIGTERM or SIGINT arrives, or until {@code wake} is counted
     * down by someone else (an agent that cannot go on). A signal counts {@code wake} down too.
     *
     * @return true when a signal asked to stop, false when something else woke the caller
     */
    static boolean awaitTermination(CountDownLatch wake) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                log.info("received SIG{}, stopping", signal.getName());
                signalled.countDown();
                wake.countDown();
            });
        }
        wake.await();
        return signalled.getCount() == 0;
    }
}
