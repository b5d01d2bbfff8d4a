package dev.ferry.transfer;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test hook, not a setting: a step of the commit at which the fault harness can make an agent
 * die, to prove that a crash exactly there loses and duplicates nothing (docs/GUARANTEES.md).
 *
 * <p>Inert unless the JVM is started with {@code -Ddev.ferry.test.kill-at=<point>} or
 * {@code <point>#<n>} (die at the n-th time the point is reached, default 1), e.g.
 * {@code -Ddev.ferry.test.kill-at=server.before-publish}. Then reaching it prints one line to
 * standard error and halts the JVM at once with {@link #EXIT_STATUS}: no shutdown hook, no
 * finally block, no flush, as close to SIGKILL as Java gets. Unarmed, {@link #reach()} costs one
 * comparison with a static final field. Any thread may call it. The property is read once, when
 * this class is loaded; an unknown point fails that load, so a typo cannot pass silently.
 */
public enum KillPoint {
    /** Server: a DATA block has been written to the temporary (or partial) file. */
    SERVER_MID_STREAM,
    /** Server: all data and the COMMIT checked, before the file is forced to disk. */
    SERVER_BEFORE_FORCE,
    /** Server: the file forced (and its commit marker made), before it is moved into the inbox. */
    SERVER_BEFORE_PUBLISH,
    /** Server: the file published, before its receipt is recorded. */
    SERVER_BEFORE_RECEIPT,
    /** Server: the receipt recorded, before the REPLY that acknowledges the file. */
    SERVER_BEFORE_REPLY,
    /** Client: the verified acknowledgement received, before the source file is deleted or archived. */
    CLIENT_BEFORE_DELETE;

    /** The system property that arms one point. */
    public static final String PROPERTY = "dev.ferry.test.kill-at";

    /** The exit status of a JVM halted at a kill point (distinct from 137, a SIGKILL). */
    public static final int EXIT_STATUS = 86;

    private static final KillPoint ARMED;
    private static final int AT_HIT;
    private static final AtomicInteger HITS = new AtomicInteger();

    static {
        String value = System.getProperty(PROPERTY, "").trim();
        int hash = value.indexOf('#');
        ARMED = value.isEmpty() ? null : byName(hash < 0 ? value : value.substring(0, hash));
        AT_HIT = hash < 0 ? 1 : Integer.parseInt(value.substring(hash + 1));
        if (AT_HIT < 1) {
            throw new IllegalArgumentException(PROPERTY + "=" + value + ": the hit count must be at least 1");
        }
    }

    /** Its name in the property: {@code server.before-publish}. */
    public String id() {
        String lower = name().toLowerCase(Locale.ROOT);
        int first = lower.indexOf('_');
        return lower.substring(0, first) + "." + lower.substring(first + 1).replace('_', '-');
    }

    /** The point named {@code id} ({@link #id()}). */
    public static KillPoint byName(String id) {
        for (KillPoint point : values()) {
            if (point.id().equals(id)) {
                return point;
            }
        }
        throw new IllegalArgumentException(PROPERTY + "=" + id + " names no kill point; known: "
                + Arrays.stream(values()).map(KillPoint::id).toList());
    }

    /** The code reached this step: halts the JVM if this point is armed and this is the chosen hit. */
    public void reach() {
        if (this == ARMED && HITS.incrementAndGet() == AT_HIT) {
            System.err.println("kill point reached: " + id() + " hit=" + AT_HIT);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
