package dev.ferry.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Waits between attempts: exponential from {@code initial} to {@code max}, each wait drawn at
 * random between half and all of the current step ("equal jitter"), so many clients that lost
 * one server do not all come back at the same instant. Not thread-safe: one per sender.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private long stepMillis;

    Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.random = Objects.requireNonNull(random, "random");
        this.stepMillis = initialMillis;
    }

    /** The next wait; each call doubles the step up to the maximum. */
    Duration next() {
        long step = stepMillis;
        stepMillis = Math.min(maxMillis, stepMillis * 2);
        return Duration.ofMillis(step / 2 + random.nextLong(step / 2 + 1));
    }

    /** After a success: the next failure waits {@code initial} again. */
    void reset() {
        stepMillis = initialMillis;
    }
}
